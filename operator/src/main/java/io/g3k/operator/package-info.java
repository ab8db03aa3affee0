/** The g3k Kubernetes operator. Placeholder until the operator issue lands; it only checks that config/ links. */
package io.g3k.operator;
