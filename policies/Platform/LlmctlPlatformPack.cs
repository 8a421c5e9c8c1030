using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>The GPU, supply-chain and operations contract of the platform (ARCHITECTURE.md, "Domain contracts").</summary>
public sealed class LlmctlPlatformPack : PolicyPack
{
    public const string PackName = "llmctl-platform";

    public override string Name => PackName;
    public override string Version => "0.2.0";

    /// <param name="fit">The VRAM estimate of the stack's lanes; without one, the pack runs without vram-fit.</param>
    public LlmctlPlatformPack(ILaneFitSource? fit = null)
    {
        Policies = fit is null ? Common : [.. Common, new VramFit(fit)];
    }

    public override IReadOnlyList<IPolicy> Policies { get; }

    private static IReadOnlyList<IPolicy> Common =>
    [
        new PinnedDigests(),
        new ModelLocks(),
        new GpuContract(),
        new OneActiveLane(),
        new NodeBudget(),
        new MaintenanceWindow(),
        new KnownBroken(),
        new NoPlainSecrets(),
        new AliasBackends(),
    ];
}
