using Llmctl.Engine.Providers;
using Llmctl.Engine.State;

namespace Llmctl.Infra.Cli;

/// <summary>
/// Everything a verb touches outside itself — output streams, environment, working directory, providers, the state
/// backend — injected so tests run the real command tree in-process and read what it printed.
/// </summary>
public sealed class CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }
    public TextReader In { get; init; } = TextReader.Null;
    /// <summary>Standard output is a terminal (colour and live progress are allowed).</summary>
    public bool OutIsTerminal { get; init; }
    /// <summary>A person can answer prompts (stdin is a terminal and not in CI).</summary>
    public bool Interactive { get; init; }
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>Providers by package when no <see cref="ProviderFactory"/> is set. The mocks seam registers a fallback here in tests.</summary>
    public ProviderRegistry Providers { get; init; } = new();
    /// <summary>
    /// Builds the real providers for a stack from its config (kubeconfig, Tailscale credentials); the flag asks for
    /// live diffs (<c>--refresh</c>). Null in tests, which use <see cref="Providers"/>.
    /// </summary>
    public Func<Engine.Config.LoadedStack, bool, ProviderRegistry>? ProviderFactory { get; init; }
    /// <summary>
    /// Reads live facts (nodes, GPU pods) from the stack's cluster for <c>preflight</c>; null: none are read (tests
    /// on the mocks seam). The process builds it from the stack's <c>kubernetes:*</c> config.
    /// </summary>
    public Func<Engine.Config.LoadedStack, Llmctl.Providers.Kubernetes.ClusterFacts>? ClusterFacts { get; init; }
    /// <summary>Overrides the backend chosen from config (tests use an in-memory or temp-folder backend).</summary>
    public Func<string, IStateBackend>? BackendFactory { get; init; }

    public static CliContext FromProcess(Func<Engine.Config.LoadedStack, bool, ProviderRegistry> providers) => new()
    {
        Out = Console.Out,
        Err = Console.Error,
        In = Console.In,
        OutIsTerminal = !Console.IsOutputRedirected,
        Interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("CI")),
        ProviderFactory = providers,
        ClusterFacts = ProviderSetup.ClusterFacts,
    };
}
