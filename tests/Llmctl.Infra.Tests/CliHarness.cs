using System.Text.Json.Nodes;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Engine.Testing;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// Runs the real command tree in-process against a copy of the repository's project and stack files in a temp
/// folder, with a file backend there and the mocks seam standing in for providers.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    private readonly Dictionary<string, string?> _env = new(StringComparer.Ordinal);

    public CliHarness(IMocks? mocks = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("llmctl-cli-").FullName;
        File.Copy(RepoFiles.Path("Pulumi.yaml"), Path.Combine(Directory, "Pulumi.yaml"));
        File.Copy(RepoFiles.Path("Pulumi.homelab.yaml"), Path.Combine(Directory, "Pulumi.homelab.yaml"));
        File.Copy(RepoFiles.Path("models.lock.yaml"), Path.Combine(Directory, "models.lock.yaml"));
        Provider = new MockProvider(mocks ?? new EchoMocks());
        StateRoot = Path.Combine(Directory, ".state");
    }

    public string Directory { get; }
    public string StateRoot { get; }
    public MockProvider Provider { get; }
    public string Out { get; private set; } = "";
    public string Err { get; private set; } = "";
    public bool Terminal { get; init; }
    /// <summary>Use the real providers built from the stack's config (kubeconfig, …) instead of the mocks seam.</summary>
    public bool RealProviders { get; init; }
    /// <summary>Real providers for the stack (the Kubernetes provider against the fake API server); null: the mocks seam.</summary>
    public Func<Engine.Config.LoadedStack, bool, ProviderRegistry>? ProviderFactory { get; init; }
    /// <summary>Where preflight reads live facts; null: it reads none.</summary>
    public Func<Engine.Config.LoadedStack, Providers.Kubernetes.ClusterFacts>? ClusterFacts { get; init; }
    public string StackFile => Path.Combine(Directory, "Pulumi.homelab.yaml");

    public CliHarness Env(string name, string? value)
    {
        _env[name] = value;
        return this;
    }

    public async Task<int> RunAsync(params string[] args) => await RunWithInputAsync("", args);

    public async Task<int> RunWithInputAsync(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var cli = new CliContext
        {
            Out = output,
            Err = error,
            In = new StringReader(stdin),
            OutIsTerminal = Terminal,
            Interactive = stdin.Length > 0,
            Environment = name => _env.GetValueOrDefault(name),
            WorkingDirectory = Directory,
            Providers = new ProviderRegistry().RegisterFallback(Provider),
            ProviderFactory = ProviderFactory ?? (RealProviders ? (stack, liveDiff) => ProviderSetup.ForStack(stack, name => _env.GetValueOrDefault(name), liveDiff) : null),
            ClusterFacts = ClusterFacts,
            BackendFactory = _ => new FileBackend(StateRoot),
        };
        var code = await new LlmctlApp(cli).RunAsync(args, TestContext.Current.CancellationToken);
        Out = output.ToString();
        Err = error.ToString();
        return code;
    }

    public string CheckpointPath => new FileBackend(StateRoot).CheckpointPath("llm-platform", "homelab");

    public JsonObject Checkpoint() => JsonNode.Parse(File.ReadAllText(CheckpointPath))!.AsObject();

    public string FleetCheckpointPath => new FileBackend(StateRoot).CheckpointPath("llm-platform", "fleet");

    /// <summary>The fleet stack's checkpointed resources.</summary>
    public List<JsonNode> FleetCheckpoint() =>
        JsonNode.Parse(File.ReadAllText(FleetCheckpointPath))!["checkpoint"]!["latest"]!["resources"]?.AsArray().Select(r => r!).ToList() ?? [];

    public void EditStackFile(string from, string to)
    {
        var text = File.ReadAllText(StackFile);
        Assert.Contains(from, text);
        File.WriteAllText(StackFile, text.Replace(from, to, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
