using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>The GPU and supply-chain contract of the platform (ARCHITECTURE.md, "Domain contracts").</summary>
public sealed class LlmctlPlatformPack : PolicyPack
{
    public const string PackName = "llmctl-platform";

    public override string Name => PackName;

    public override IReadOnlyList<IPolicy> Policies { get; } =
    [
        new ImagePinnedByDigest(),
        new GpuRequestsEqualLimits(),
        new GpuWorkloadsUseRuntimeClass(),
        new OneActiveLanePerGpu(),
        new Charts.WorkloadsSchedulable(),
        new Charts.ServiceMonitorTargets(),
        new Charts.ChartImagesPinned(),
        new Charts.ChartsRendered(),
    ];
}
