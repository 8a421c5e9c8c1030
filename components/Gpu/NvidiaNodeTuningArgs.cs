using Llmctl.Components.Command;

namespace Llmctl.Components.Gpu;

public sealed record NvidiaNodeTuningArgs
{
    /// <summary>SSH to the GPU node (the user must be root, or set <see cref="Sudo"/>).</summary>
    public required Connection Connection { get; init; }
    /// <summary>
    /// Keep the driver loaded while no process uses the GPU (<c>nvidia-smi -pm 1</c>). Seed 003: without it a card can
    /// idle at 50–80 W after a model unloads; with it, about 9 W.
    /// </summary>
    public bool PersistenceMode { get; init; } = true;
    /// <summary>A software power limit in watts (<c>nvidia-smi -pl</c>), e.g. slightly below TDP to avoid the hardware power brake; null leaves it.</summary>
    public int? PowerLimitWatts { get; init; }
    /// <summary>
    /// The limit restored on delete. Null reads each GPU's own default (<c>power.default_limit</c>, the "Default Power
    /// Limit" of <c>nvidia-smi -q -d POWER</c>) on the node at delete time.
    /// </summary>
    public int? DefaultPowerLimitWatts { get; init; }
    /// <summary>One GPU by index (<c>nvidia-smi -i</c>); null applies to every GPU in the node.</summary>
    public int? GpuIndex { get; init; }
    /// <summary>Run nvidia-smi through <c>sudo -n</c> (passwordless sudo) for a non-root SSH user.</summary>
    public bool Sudo { get; init; }
}
