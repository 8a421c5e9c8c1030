using Llmctl.Components.Cluster;
using Llmctl.Components.Gpu;
using Llmctl.Components.Kubernetes.Render;
using Llmctl.Components.Network;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Components.Command;
using Llmctl.Providers.Command;
using Llmctl.Stacks.Config;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests.Fleet;

/// <summary>Pulumi.fleet.yaml (seed 000) loaded from the repository and composed, the way `llmctl preview -s fleet` does.</summary>
public sealed class FleetStackTests : IDisposable
{
    /// <summary>The sample stack's documented passphrase (docs/stacks.md).</summary>
    private const string Passphrase = "llmctl-sample";
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-fleet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LoadedStack Load(string? passphrase = Passphrase) =>
        StackPipeline.Load(RepoFiles.Root, "fleet", environment: name => name == "PULUMI_CONFIG_PASSPHRASE" ? passphrase : null);

    private static StackContext Compose(LoadedStack stack) => StackPipeline.Compose(stack, StackPipeline.Bind(stack), isPreview: true);

    [Fact]
    public void A_corrupt_ciphertext_is_reported_at_its_key_and_value_before_anything_reads_it()
    {
        File.Copy(RepoFiles.Path("Pulumi.yaml"), Path.Combine(_dir, "Pulumi.yaml"));
        var text = File.ReadAllText(RepoFiles.Path("Pulumi.fleet.yaml"));
        const string masterKey = "secure: v1:Mk75A9J/Pj1spn1v:3zh+";
        Assert.Contains(masterKey, text, StringComparison.Ordinal);
        // One base64 character of the sealed bytes changed: still well formed, but the GCM tag no longer matches.
        File.WriteAllText(Path.Combine(_dir, "Pulumi.fleet.yaml"), text.Replace(masterKey, "secure: v1:Mk75A9J/Pj1spn1v:4zh+", StringComparison.Ordinal));
        var lines = File.ReadAllLines(Path.Combine(_dir, "Pulumi.fleet.yaml"));
        var line = Array.FindIndex(lines, l => l.Contains("v1:Mk75A9J", StringComparison.Ordinal)) + 1;
        var column = lines[line - 1].IndexOf("v1:Mk75A9J", StringComparison.Ordinal) + 1;

        var loaded = StackPipeline.Load(_dir, "fleet", environment: name => name == "PULUMI_CONFIG_PASSPHRASE" ? Passphrase : null);
        var error = Assert.Throws<ConfigException>(() => StackPipeline.Bind(loaded));

        Assert.Equal(
            $"Pulumi.fleet.yaml:{line}:{column}: llm-platform:gateway.masterKey: the secure value cannot be decrypted with this stack's passphrase: " +
            "it was altered or cut, or copied from another stack — set it again with `llmctl config set --secret --path gateway.masterKey <value>`",
            Assert.Single(error.Diagnostics).ToString());
    }

    [Fact]
    public void The_fleet_stack_joins_node_a_as_server_and_node_b_as_agent_over_the_tailnet()
    {
        var ctx = Compose(Load());

        var cluster = Assert.Single(ctx.Resources.OfType<K3sCluster>());
        Assert.Equal("v1.35.5+k3s1", cluster.Args.Version);
        Assert.Equal("node-a", cluster.Args.Server.Name);
        Assert.Equal(["node-b"], cluster.Args.Agents.Select(a => a.Name));
        Assert.Equal(K3sNetworkMode.FlannelOverTailscale, cluster.Args.Network);
        Assert.Contains("--flannel-iface tailscale0", cluster.Server.Inputs["create"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(cluster.TokenReader);
        var tailnet = Assert.Single(ctx.Resources.OfType<Tailnet>());
        Assert.Equal("tag:k3s", tailnet.NodeTag);
    }

    [Fact]
    public void The_ssh_key_comes_from_the_encrypted_stack_file_and_stays_secret()
    {
        var ctx = Compose(Load());

        foreach (var command in ctx.Resources.OfType<RemoteCommand>())
        {
            var connection = command.Inputs["connection"];
            Assert.True(PropertyValues.IsSecret(connection));
            Assert.Contains("llmctl-sample-placeholder", PropertyValues.Reveal(connection)!.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain("llmctl-sample-placeholder", PropertyValues.Redact(command.Inputs)!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Both_strix_halo_nodes_offer_the_94_gib_bios_carve_out_not_the_whole_128_gb()
    {
        var ctx = Compose(Load());

        var nodes = ctx.Resources.OfType<GpuNode>().ToList();
        Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.Name));
        Assert.All(nodes, n =>
        {
            Assert.Equal(94 * 1024, n.Gpu.VramMiB);
            Assert.Equal(GpuVendor.Amd, n.Gpu.Vendor);
            Assert.Equal("94gb", n.Labels["workload.ai/vram"]);
        });
    }

    [Fact]
    public async Task The_composed_fleet_plans_without_cycles_or_errors()
    {
        var providers = new ProviderRegistry().RegisterFallback(new CommandProvider());

        var plan = await StackPipeline.Plan(Compose(Load()), null, providers);

        Assert.Empty(plan.Diagnostics);
        Assert.All(plan.Steps, s => Assert.Equal(StepOp.Create, s.Op));
    }

    [Fact]
    public void Without_the_passphrase_the_fleet_stack_stops_at_its_secrets()
    {
        var stack = Load(passphrase: null);

        Assert.ThrowsAny<Exception>(() => Compose(stack));
    }

    [Fact]
    public void The_fleet_stack_renders_to_the_checked_in_snapshot()
    {
        ManifestRenderer.Render(Compose(Load()), _dir);

        Snapshot.MatchDirectory(_dir, RepoFiles.Path("tests", "Llmctl.Stacks.Tests", "Snapshots", "fleet"));
    }

    [Fact]
    public void A_unified_memory_node_without_its_carve_out_is_refused()
    {
        var config = new StackConfig
        {
            Cluster = new ClusterConfig { Name = "fleet" },
            GpuNodes = [new GpuNodeConfig { Name = "node-a", Hardware = "strix-halo-128gb" }],
        };

        var error = Assert.Throws<StackCompositionException>(() => StackPipeline.Compose("llm-platform", "fleet", config));

        Assert.Equal("llm-platform:gpuNodes[0].usableVram", error.KeyPath);
    }

    [Fact]
    public void A_k3s_section_without_the_ssh_key_secret_names_the_key_to_set()
    {
        var config = new StackConfig
        {
            Cluster = new ClusterConfig { Name = "fleet" },
            K3s = new K3sConfig
            {
                Version = "v1.35.5+k3s1",
                Server = new K3sNodeConfig { Name = "node-a", Host = "node-a", TailnetIp = "100.64.0.1", HostKey = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
            },
        };

        var error = Assert.Throws<StackCompositionException>(() => StackPipeline.Compose("llm-platform", "fleet", config));

        Assert.Equal("llm-platform:sshPrivateKey", error.KeyPath);
    }
}
