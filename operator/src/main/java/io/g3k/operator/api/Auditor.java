package io.g3k.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A g3proxy auditor as a Kubernetes object; it joins the ProxyGroup named by its {@code g3k.io/group} label. */
@Group(G3k.GROUP)
@Version(G3k.VERSION)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Accepted", jsonPath = ".status.conditions[?(@.type=='Accepted')].status")
@ShortNames("g3aud")
public class Auditor extends CustomResource<AuditorSpec, ModuleStatus> implements Namespaced {
}
