using Llmctl.Components.Images;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Helm;

/// <summary>
/// One image a chart runs at the chart version llmctl pins: its repository and tag as the chart renders them, and the
/// digest llmctl pins it to through the chart's values — or, where no digest could be verified, null and
/// <see cref="Evidence"/> saying why. A digest is written only when it is the multi-architecture index digest of
/// exactly this tag and at least two independent public sources agree on it (<see cref="Evidence"/> names them);
/// container registries could not be reached where this table was made. docs/chart-images.md is the same table.
/// </summary>
public sealed record ChartImage(string Repository, string Tag, string? Digest, string Evidence)
{
    public bool Pinned => Digest is not null;

    /// <summary>The image as the chart renders it without a pin (<c>repository:tag</c>).</summary>
    public string Unpinned => $"{Repository}:{Tag}";

    /// <summary><c>repository:tag@sha256:…</c>, or <c>repository:tag</c> when no digest is known.</summary>
    public ImageRef Ref => ImageRef.Create(Repository, Tag, Digest);

    /// <summary>The digest's 64 hex digits alone (charts whose <c>image.sha</c> value takes no <c>sha256:</c> prefix).</summary>
    public string? Hex => Digest?["sha256:".Length..];

    /// <summary>The annotation that names this image as knowingly unpinned, with why; null when it is pinned.</summary>
    public UnpinnedChartImage? Unverified(string? rendered = null) =>
        Pinned ? null : new UnpinnedChartImage(rendered ?? Unpinned, Evidence);
}

/// <summary>
/// On a HelmChart: its chart runs <paramref name="Image"/> (exactly as rendered) without a digest, on purpose, because no
/// digest could be verified from public sources (<paramref name="Reason"/>). The pinned-digests policy leaves exactly
/// this image to chart-images-pinned, which reports it as advisory with the reason; any other unpinned image a chart
/// renders is still a pinned-digests violation.
/// </summary>
public sealed record UnpinnedChartImage(string Image, string Reason) : IResourceAnnotation;

/// <summary>
/// Every image of the charts llmctl installs, at the versions it pins (see each chart's <see cref="ChartRef"/>). Sources
/// are public files found on 2026-12-01 by searching public repositories for the exact <c>image:tag@sha256:</c> string.
/// </summary>
public static class ChartImages
{
    // ---- NVIDIA device plugin chart 0.20.0 ----

    /// <summary>
    /// Sources (independent): a <c>kubectl describe pod</c> of a running nvidia-device-plugin-daemonset (Image
    /// <c>…:v0.20.0</c>, Image ID <c>…@sha256:a61ba9fd…</c>); a kind-cluster load script naming the same digest as the
    /// tag's index (its amd64 child is <c>sha256:1de09dda…</c>); a devmesh GPU plan's DaemonSet pinning
    /// <c>…:v0.20.0@sha256:a61ba9fd…</c>; NVIDIA GPU Operator 26.7.0's certified bundle (OLM CSV) diff pinning
    /// <c>…:v0.20.0@sha256:a61ba9fd…</c>.
    /// </summary>
    public static readonly ChartImage NvidiaDevicePlugin = new("nvcr.io/nvidia/k8s-device-plugin", "v0.20.0",
        "sha256:a61ba9fd8efb82f3a79f877f7580e02c1e8e7593f62473644bc9c79e315c3312",
        "kubectl describe of a running pod (Image ID), a kind load script (index digest), a devmesh DaemonSet, GPU Operator 26.7.0 certified bundle");

    // ---- node-feature-discovery chart 0.19.0 ----

    /// <summary>One public source only (an offline-bundle check script: <c>…:v0.19.0@sha256:aa5be869…</c>), so not pinned.</summary>
    public static readonly ChartImage NodeFeatureDiscovery = new("registry.k8s.io/nfd/node-feature-discovery", "v0.19.0", null,
        "only one public source names a digest for v0.19.0 (sha256:aa5be869… in an offline-bundle check script); two independent ones are required");

    // ---- ROCm amd-gpu chart 0.21.0 ----

    public static readonly ChartImage AmdDevicePlugin = new("docker.io/rocm/k8s-device-plugin", "1.31.0.9", null,
        "no public source names a digest for this tag");

    public static readonly ChartImage AmdNodeLabeller = new("docker.io/rocm/k8s-device-plugin", "labeller-1.31.0.9", null,
        "no public source names a digest for this tag");

    // ---- dcgm-exporter chart 4.8.2 ----

    /// <summary>
    /// Sources (independent): a Dockerfile <c>ARG DCGM_EXPORTER_IMAGE=…@sha256:60d3b00a…</c> built for several
    /// <c>TARGETARCH</c>s (so the index digest); an inference benchmark script's default <c>PIQ_DCGM_EXPORTER_IMAGE</c>;
    /// a Go service's locked Wave-0 default <c>PrimaryDCGMImage</c>; a homelab change log pinning the exporter. One air-gap
    /// list names <c>sha256:e9030b4f…</c> for the same tag (with a private mirror); it is taken for a per-platform
    /// manifest and not used.
    /// </summary>
    public static readonly ChartImage DcgmExporter = new("nvcr.io/nvidia/k8s/dcgm-exporter", "4.5.3-4.8.2-distroless",
        "sha256:60d3b00ac80b4ae77f94dae2f943685605585ad9e92fdccda3154d009ae317cc",
        "a multi-arch Dockerfile ARG, a benchmark script default, a Go service's locked default, a homelab change log");

    // ---- cert-manager chart v1.21.1 ----
    // Sources (independent) for the four below: an Argo CD platform validator (umc-infra: cert-manager/external-dns/
    // reloader EXPECTED image sets) and a LiveKit operations contract (JavaScript CERT_MANAGER_IMAGES, also in its Go
    // contract test). A CloudNativePG data-plane spec pins other digests for the same tags, stated there to be the
    // linux/amd64 child manifests; these are the index digests.

    public static readonly ChartImage CertManagerController = new("quay.io/jetstack/cert-manager-controller", "v1.21.1",
        "sha256:416a2d76870d996460e62bd7f521bf14fa017be9e3e904aab92163a331fcb61a", CertManagerSources);

    public static readonly ChartImage CertManagerWebhook = new("quay.io/jetstack/cert-manager-webhook", "v1.21.1",
        "sha256:d8b3961b51c8c7320633f8208dc46bf88aa13804d0f7cbe48a096b2c523cee42", CertManagerSources);

    public static readonly ChartImage CertManagerCainjector = new("quay.io/jetstack/cert-manager-cainjector", "v1.21.1",
        "sha256:ccf6b919ec0500745a47a910118f834f9636d0aac1ff221245cd2557ed8c7c98", CertManagerSources);

    public static readonly ChartImage CertManagerStartupApiCheck = new("quay.io/jetstack/cert-manager-startupapicheck", "v1.21.1",
        "sha256:d8ab6416e6e7303a86fa0a8daa82c94a8001f21c9d78eb2e7db20534e5d07ae8", CertManagerSources);

    /// <summary>
    /// The HTTP-01 solver image (a controller argument, run only for HTTP-01 challenges; llmctl's issuers use DNS-01).
    /// One project only names <c>…:v1.21.1@sha256:dbc7cc13…</c>, so not pinned.
    /// </summary>
    public static readonly ChartImage CertManagerAcmeSolver = new("quay.io/jetstack/cert-manager-acmesolver", "v1.21.1", null,
        "only one public project names a digest for this tag (sha256:dbc7cc13…); two independent ones are required");

    // ---- cert-manager-webhook-ionos chart 1.3.0 ----

    public static readonly ChartImage IonosWebhook = new("fabmade/cert-manager-webhook-ionos", "1.3.0", null,
        "no public source names a digest for this tag");

    // ---- kube-prometheus-stack chart 88.5.3 ----

    /// <summary>Sources: Stuhlmuller/homelab's monitoring research (index and amd64 digests listed), a WATCH supply lock validator.</summary>
    public static readonly ChartImage PrometheusOperator = new("quay.io/prometheus-operator/prometheus-operator", "v0.93.1",
        "sha256:e52bb28fd41c98dd407c7a8cba8bdcfe7eabd7447e250afaf1fe7bb816dedbff",
        "Stuhlmuller/homelab monitoring research (index digest, amd64 child listed apart), a WATCH supply lock validator");

    /// <summary>Sources: as <see cref="PrometheusOperator"/>.</summary>
    public static readonly ChartImage PrometheusConfigReloader = new("quay.io/prometheus-operator/prometheus-config-reloader", "v0.93.1",
        "sha256:428f088fe6fe07ab138bda92113664b04848a1dc408e4d3680a60ecdb55d1a65",
        "Stuhlmuller/homelab monitoring research (index digest), a WATCH supply lock validator");

    /// <summary>Sources: Stuhlmuller/homelab research, pulseplate's image manifest (<c>index_digest</c>), the WATCH lock, several compose/Makefile pins of <c>prom/prometheus</c> (the same image).</summary>
    public static readonly ChartImage Prometheus = new("quay.io/prometheus/prometheus", "v3.14.0-distroless",
        "sha256:50c707e96da5ade383cb1707790576480485e93de06aa60ad8802cb5f744bd0a",
        "Stuhlmuller/homelab research, pulseplate's image manifest (index_digest), a WATCH supply lock, Makefile and compose pins");

    /// <summary>Sources: Stuhlmuller/homelab research, the WATCH lock, a release table (index and amd64), several compose/Terraform pins.</summary>
    public static readonly ChartImage Alertmanager = new("quay.io/prometheus/alertmanager", "v0.34.0",
        "sha256:690c7b525f4367aa91f73e2f91c632206d32e97c6384bdbf2fb7a861b420340d",
        "Stuhlmuller/homelab research, a WATCH supply lock, a release table with index and amd64 digests, Terraform and script pins");

    /// <summary>Sources: the WATCH lock, a Python-rendered DaemonSet, a chart-values test (<c>prometheus-node-exporter.image.digest</c>).</summary>
    public static readonly ChartImage NodeExporter = new("quay.io/prometheus/node-exporter", "v1.12.1-distroless",
        "sha256:8c9bac11973b94b59be88d6e11fee4429aa743c8846cdc75d65b18db33f6a106",
        "a WATCH supply lock, a generated node-exporter DaemonSet, a monitoring lock listing it with the distroless tag");

    /// <summary>Sources: Stuhlmuller/homelab research (index; amd64 child 01171220…), a kubepkg PackageSource, the WATCH lock.</summary>
    public static readonly ChartImage KubeStateMetrics = new("registry.k8s.io/kube-state-metrics/kube-state-metrics", "v2.20.0",
        "sha256:42cfe3723a5f058171c627537fb57a3ea0f26e4380fa18555a95cb1a1b4cfc5b",
        "Stuhlmuller/homelab research (index digest), a kubepkg PackageSource, a WATCH supply lock");

    /// <summary>Sources: many independent pins (a Grafana plugin Dockerfile, compose files, a Go test, a licence notice, the WATCH lock).</summary>
    public static readonly ChartImage Grafana = new("docker.io/grafana/grafana", "13.2.0",
        "sha256:3fd54ae1214669f8355f065ec9f6445d5279a3d77095ab048ca045685272429b",
        "a Dockerfile FROM, compose and Go test pins, a Keycloak spike report, a WATCH supply lock");

    public static readonly ChartImage GrafanaSidecar = new("quay.io/kiwigrid/k8s-sidecar", "2.10.1", null,
        "no public source names a digest for this tag");

    public static readonly ChartImage AdmissionWebhookCertgen = new("ghcr.io/jkroepke/kube-webhook-certgen", "1.8.7", null,
        "no public source names a digest for this tag (1.8.5 and 1.8.8 are published elsewhere, not the tag this chart ships)");

    private const string CertManagerSources =
        "an Argo CD platform validator (cert-manager/external-dns/reloader image sets) and a LiveKit operations contract (JS and Go)";

    /// <summary>Every image in this table, for the docs and their test.</summary>
    public static IReadOnlyList<ChartImage> All { get; } =
    [
        NvidiaDevicePlugin, NodeFeatureDiscovery, AmdDevicePlugin, AmdNodeLabeller, DcgmExporter,
        CertManagerController, CertManagerWebhook, CertManagerCainjector, CertManagerStartupApiCheck, CertManagerAcmeSolver,
        IonosWebhook, PrometheusOperator, PrometheusConfigReloader, Prometheus, Alertmanager, NodeExporter, KubeStateMetrics,
        Grafana, GrafanaSidecar, AdmissionWebhookCertgen,
    ];
}
