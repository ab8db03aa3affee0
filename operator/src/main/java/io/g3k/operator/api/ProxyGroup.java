package io.g3k.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A g3proxy daemon group running as data-plane pods. */
@Group(G3k.GROUP)
@Version(G3k.VERSION)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas")
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.appliedPods")
@AdditionalPrinterColumn(name = "Config", jsonPath = ".status.configHash")
@AdditionalPrinterColumn(name = "Programmed", jsonPath = ".status.conditions[?(@.type=='Programmed')].status")
@AdditionalPrinterColumn(name = "RolledOut", jsonPath = ".status.conditions[?(@.type=='RolledOut')].status")
@ShortNames("pg")
public class ProxyGroup extends CustomResource<ProxyGroupSpec, ProxyGroupStatus> implements Namespaced {
}
