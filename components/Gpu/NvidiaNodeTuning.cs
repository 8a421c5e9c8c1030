using System.Globalization;
using Llmctl.Engine.Model;
using Llmctl.Components.Command;

namespace Llmctl.Components.Gpu;

/// <summary>
/// NVIDIA driver settings on a GPU node (seed 003): persistence mode and a software power limit, set with
/// <c>nvidia-smi</c> over SSH by one <c>command:remote:Command</c>. Create and update apply the settings (both are
/// idempotent: setting what is already set succeeds); delete restores the defaults (<c>-pm 0</c> and the default
/// power limit). The settings are the triggers, and the command is deleted before it is replaced, so a change restores
/// the defaults and then applies the new settings rather than the other way round.
/// <para>
/// The driver forgets both after a reboot; this component does not re-apply them by itself. For persistence across
/// reboots run <c>nvidia-persistenced</c> as a service on the node.
/// </para>
/// </summary>
public sealed class NvidiaNodeTuning : ComponentResource
{
    public const string TypeToken = "llmctl:gpu:NvidiaNodeTuning";

    public NvidiaNodeTuning(string name, NvidiaNodeTuningArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(args));

        CreateCommand = ApplyCommand(args);
        DeleteCommand = RestoreCommand(args);
        Command = new RemoteCommand(name, new RemoteCommandArgs
        {
            Connection = args.Connection,
            Create = CreateCommand,
            Update = CreateCommand,
            Delete = DeleteCommand,
            Triggers = [args.PersistenceMode, args.PowerLimitWatts, args.DefaultPowerLimitWatts, args.GpuIndex],
        }, new CustomResourceOptions { Parent = this, DeleteBeforeReplace = true });
        Annotate(new GpuTuning(args.PersistenceMode, args.PowerLimitWatts));
    }

    public NvidiaNodeTuningArgs Args { get; }
    public RemoteCommand Command { get; }
    /// <summary>What create and update run.</summary>
    public string CreateCommand { get; }
    /// <summary>What delete runs.</summary>
    public string DeleteCommand { get; }

    /// <summary><c>nvidia-smi -pm 1 &amp;&amp; nvidia-smi -pl 60</c>, with <c>-i</c> and <c>sudo -n</c> as asked.</summary>
    public static string ApplyCommand(NvidiaNodeTuningArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var steps = new List<string>();
        if (args.PersistenceMode) steps.Add($"{Smi(args)} -pm 1");
        if (args.PowerLimitWatts is { } watts) steps.Add($"{Smi(args)} -pl {Watts(watts)}");
        return string.Join(" && ", steps);
    }

    /// <summary>
    /// <c>nvidia-smi -pm 0</c> and the default power limit: the configured one, or each GPU's own
    /// <c>power.default_limit</c> read from the driver (a decimal such as <c>70.00</c>, which <c>-pl</c> accepts).
    /// </summary>
    public static string RestoreCommand(NvidiaNodeTuningArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var steps = new List<string>();
        if (args.PersistenceMode) steps.Add($"{Smi(args)} -pm 0");
        if (args.PowerLimitWatts is not null)
        {
            var sudo = args.Sudo ? "sudo -n " : "";
            steps.Add(args.DefaultPowerLimitWatts is { } watts
                ? $"{Smi(args)} -pl {Watts(watts)}"
                : $"{Smi(args)} --query-gpu=index,power.default_limit --format=csv,noheader,nounits"
                  + $" | while IFS=', ' read -r i w; do {sudo}nvidia-smi -i \"$i\" -pl \"$w\" || exit 1; done");
        }
        return string.Join(" && ", steps);
    }

    private static string Smi(NvidiaNodeTuningArgs args) =>
        (args.Sudo ? "sudo -n " : "") + "nvidia-smi" + (args.GpuIndex is { } i ? $" -i {i.ToString(CultureInfo.InvariantCulture)}" : "");

    private static string Watts(int watts) => watts.ToString(CultureInfo.InvariantCulture);

    private static List<ArgumentProblem> Validate(NvidiaNodeTuningArgs args)
    {
        var problems = new List<ArgumentProblem>();
        if (args.PowerLimitWatts is <= 0) problems.Add(new ArgumentProblem("powerLimitWatts", $"must be greater than 0 watts, not {args.PowerLimitWatts}; leave it unset to keep the card's limit"));
        if (args.DefaultPowerLimitWatts is <= 0) problems.Add(new ArgumentProblem("defaultPowerLimitWatts", $"must be greater than 0 watts, not {args.DefaultPowerLimitWatts}; leave it unset to restore the card's own default"));
        if (args.DefaultPowerLimitWatts is not null && args.PowerLimitWatts is null)
        {
            problems.Add(new ArgumentProblem("defaultPowerLimitWatts", "is only restored after a powerLimitWatts; set powerLimitWatts or drop it"));
        }
        if (args.GpuIndex is < 0) problems.Add(new ArgumentProblem("gpuIndex", $"must be 0 or more (nvidia-smi's GPU index), not {args.GpuIndex}"));
        if (!args.PersistenceMode && args.PowerLimitWatts is null)
        {
            problems.Add(new ArgumentProblem("persistenceMode", "nothing to tune: turn on persistenceMode or set powerLimitWatts, or leave this component out"));
        }
        return problems;
    }
}

/// <summary>The node's NVIDIA GPUs run with persistence mode <paramref name="PersistenceMode"/> and power limit <paramref name="PowerLimitWatts"/> (null: the card's default).</summary>
public sealed record GpuTuning(bool PersistenceMode, int? PowerLimitWatts) : IResourceAnnotation;
