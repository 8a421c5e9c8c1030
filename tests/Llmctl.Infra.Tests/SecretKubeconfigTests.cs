using Llmctl.Infra.Cli;
using Llmctl.Testing;
using Llmctl.Testing.Kubernetes;

namespace Llmctl.Infra.Tests;

/// <summary>
/// A kubeconfig kept as a secret (<c>llmctl config set --secret kubernetes:kubeconfig "$(cat kubeconfig)"</c>, as
/// Pulumi users keep theirs): every reader of <c>kubernetes:*</c> gets the decrypted kubeconfig, and its text never
/// shows in output, <c>--json</c> or the checkpoint.
/// </summary>
public sealed class SecretKubeconfigTests : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    // The kubeconfig's bearer token: a value that must stay secret wherever the kubeconfig goes.
    private static readonly string Token = "tok-" + Guid.NewGuid().ToString("N");
    private FakeKubernetesServer _server = null!;
    private CliHarness _cli = null!;
    private string _kubeconfig = "";

    public async ValueTask InitializeAsync()
    {
        _server = await FakeKubernetesServer.StartAsync();
        _server.AutoReadyAll(TimeSpan.FromMilliseconds(10));
        _server.AddNode("gpu-worker", new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu-worker" });
        _server.SetStatus("Node", null, "gpu-worker", s => s["allocatable"] = new System.Text.Json.Nodes.JsonObject { ["nvidia.com/gpu"] = "1" });
        _kubeconfig = Kubeconfigs.For(_server.Url, "homelab").Replace("fake-token", Token, StringComparison.Ordinal);
        _cli = new CliHarness { RealProviders = true, ClusterFacts = ProviderSetup.ClusterFacts };
        _cli.Env("PULUMI_CONFIG_PASSPHRASE", Passphrase);
        // The homelab without its observability section: the Prometheus operator's kinds arrive with its chart, which
        // the fake does not run (as in SwitchTests).
        var text = File.ReadAllText(_cli.StackFile);
        var at = text.IndexOf("  # kube-prometheus-stack with the DCGM exporter", StringComparison.Ordinal);
        Assert.True(at > 0);
        File.WriteAllText(_cli.StackFile, text[..at]);
        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("config", "set", "--secret", "kubernetes:kubeconfig", _kubeconfig, "-s", "homelab"));
    }

    public async ValueTask DisposeAsync()
    {
        _cli.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void The_provider_settings_hold_the_decrypted_kubeconfig_not_a_secret_wrapper()
    {
        var loaded = Stacks.StackPipeline.Load(_cli.Directory, "homelab", name => name == "PULUMI_CONFIG_PASSPHRASE" ? Passphrase : null);

        var values = ProviderSetup.Values(loaded, "kubernetes");

        Assert.Equal(_kubeconfig, values["kubernetes:kubeconfig"]);
        Assert.Equal("homelab", values["kubernetes:context"]);
    }

    [Fact]
    public async Task Up_and_preflight_reach_the_cluster_through_a_secret_kubeconfig_that_never_shows_in_plain_text()
    {
        var file = File.ReadAllText(_cli.StackFile);
        Assert.DoesNotContain(Token, file);
        Assert.Contains("secure: v1:", file);

        var code = await _cli.RunAsync("up", "--yes", "-s", "homelab");
        Assert.True(code == ExitCodes.Ok, $"up exited {code}\n{_cli.Out}\n{_cli.Err}");
        Assert.NotNull(_server.Get("Deployment", "llm", "qwen36-35b-gguf-fast"));
        var seen = _cli.Out + _cli.Err;

        Assert.Equal(ExitCodes.Ok, await _cli.RunAsync("preview", "--refresh", "--json", "-s", "homelab"));
        seen += _cli.Out + _cli.Err;

        // preflight reads the node through ProviderSetup.ClusterFacts, as the llmctl process does.
        var preflight = await _cli.RunAsync("preflight", "qwen36-35b-gguf-fast", "-s", "homelab");
        Assert.True(preflight is 0 or 10, $"preflight exited {preflight}\n{_cli.Out}\n{_cli.Err}");
        Assert.Contains("read from the cluster", _cli.Out);
        Assert.Contains("[PASS] gpu_allocatable: node 'gpu-worker' advertises 1 allocatable nvidia.com/gpu", _cli.Out);
        seen += _cli.Out + _cli.Err;

        Assert.DoesNotContain(Token, seen);
        var checkpoint = File.ReadAllText(_cli.CheckpointPath);
        Assert.DoesNotContain(Token, checkpoint);
        Assert.Contains("pulumi:providers:kubernetes", checkpoint);
    }
}
