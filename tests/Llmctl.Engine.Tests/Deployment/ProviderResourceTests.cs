using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Engine.Testing;
using Llmctl.Testing;

namespace Llmctl.Engine.Tests.Deployment;

/// <summary>
/// Provider resources (<c>pulumi:providers:&lt;pkg&gt;</c>): objects name their provider, wait for it, run on an
/// instance built from its inputs (which may be another resource's output), are replaced with it when it points at
/// another cluster, and the checkpoint records <c>provider: "&lt;urn&gt;::&lt;id&gt;"</c>.
/// </summary>
public class ProviderResourceTests
{
    private const string ObjectType = "kube:core/v1:Thing";

    /// <summary>Builds one mock provider per configuration; <c>cluster</c> names the system it points at.</summary>
    private sealed class ClusterFactory : IProviderFactory
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        public ConcurrentDictionary<string, MockProvider> Clusters { get; } = new();
        public int Created;

        public IReadOnlyList<CheckFailure> CheckConfig(JsonObject inputs) =>
            PropertyValues.Reveal(inputs["cluster"]) is null ? [new CheckFailure("cluster", "required")] : [];

        public DiffResult DiffConfig(JsonObject oldInputs, JsonObject newInputs)
        {
            var detailed = InputDiff.Compute(oldInputs, newInputs);
            var changed = detailed.Select(d => InputDiff.TopLevelKey(d.Path)).Distinct().ToList();
            return new DiffResult(changed, changed.Contains("cluster") ? ["cluster"] : [], detailed);
        }

        public IProvider Create(JsonObject inputs)
        {
            Interlocked.Increment(ref Created);
            var cluster = PropertyValues.Reveal(inputs["cluster"])!.GetValue<string>();
            return new Recording(cluster, Clusters.GetOrAdd(cluster, _ => new MockProvider(new EchoMocks())), Calls);
        }
    }

    private sealed class Recording(string cluster, MockProvider inner, ConcurrentQueue<string> calls) : IProvider
    {
        public Task<IReadOnlyList<CheckFailure>> CheckAsync(Urn urn, string type, JsonObject inputs, CancellationToken ct) => inner.CheckAsync(urn, type, inputs, ct);
        public Task<DiffResult?> DiffAsync(Urn urn, string type, string? id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, CancellationToken ct)
        {
            calls.Enqueue($"{cluster}: diff {urn.Name}");
            return inner.DiffAsync(urn, type, id, oldInputs, oldOutputs, newInputs, ct);
        }
        public Task<ProviderResult> CreateAsync(Urn urn, string type, JsonObject inputs, TimeSpan timeout, CancellationToken ct)
        {
            calls.Enqueue($"{cluster}: create {urn.Name}");
            return inner.CreateAsync(urn, type, inputs, timeout, ct);
        }
        public Task<ProviderResult> UpdateAsync(Urn urn, string type, string id, JsonObject oldInputs, JsonObject oldOutputs, JsonObject newInputs, TimeSpan timeout, CancellationToken ct)
        {
            calls.Enqueue($"{cluster}: update {urn.Name}");
            return inner.UpdateAsync(urn, type, id, oldInputs, oldOutputs, newInputs, timeout, ct);
        }
        public Task DeleteAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, TimeSpan timeout, CancellationToken ct)
        {
            calls.Enqueue($"{cluster}: delete {urn.Name}");
            return inner.DeleteAsync(urn, type, id, inputs, outputs, timeout, ct);
        }
        public Task<ProviderResult?> ReadAsync(Urn urn, string type, string id, JsonObject inputs, JsonObject outputs, CancellationToken ct) =>
            inner.ReadAsync(urn, type, id, inputs, outputs, ct);
    }

    /// <summary>Plan and apply with the factory for package <c>kube</c>; the rest of the packages on the echo mock.</summary>
    private sealed class Harness
    {
        public ClusterFactory Factory { get; } = new();
        public MockProvider Others { get; } = new(new EchoMocks());
        public ProviderRegistry Providers { get; }
        public InMemoryBackend Backend { get; } = new();
        public StackCheckpoint Checkpoint { get; set; } = StackCheckpoint.Empty("proj", "dev");
        public Func<string, JsonObject?>? Defaults { get; init; }

        public Harness() => Providers = new ProviderRegistry().RegisterFactory("kube", Factory).RegisterFallback(Others);

        public Task<Plan> PreviewAsync(Action<StackContext> program) =>
            new Planner(Providers).PlanAsync(StackContext.Run("proj", "dev", program, defaultProviderConfig: Defaults), Checkpoint);

        public async Task<(Plan Plan, UpdateResult Result)> UpAsync(Action<StackContext> program)
        {
            var desired = StackContext.Run("proj", "dev", program, isPreview: false, defaultProviderConfig: Defaults);
            var plan = await new Planner(Providers).PlanAsync(desired, Checkpoint);
            var result = await new Updater(Providers, Backend, null).RunAsync(plan, desired, Checkpoint);
            Assert.True(result.Succeeded, string.Join("\n", result.Failures));
            Checkpoint = result.Checkpoint;
            return (plan, result);
        }

        public async Task<UpdateResult> DestroyAsync()
        {
            var result = await new Updater(Providers, Backend, null).RunAsync(Planner.PlanDestroy(Checkpoint), null, Checkpoint);
            Checkpoint = result.Checkpoint;
            return result;
        }

        public ResourceState State(string name) => Checkpoint.Resources.Single(r => r.Urn.Name == name);
    }

    /// <summary>A "cluster install" whose output (secret) is the cluster name, feeding an explicit provider that two objects use.</summary>
    private static Action<StackContext> Fleet(string cluster, string timeout = "30") => ctx =>
    {
        var install = new CustomResource("test:index:Install", "install", new JsonObject { ["cluster"] = cluster },
            new CustomResourceOptions { AdditionalSecretOutputs = ["cluster"] });
        var provider = new ProviderResource("kube", "fleet", new JsonObject
        {
            ["cluster"] = ctx.ToInput(install.GetOutput<string>("cluster")),
            ["timeout"] = timeout,
        });
        var group = new ComponentResource("test:index:Group", "apps", new ComponentResourceOptions { Provider = provider });
        var ns = new CustomResource(ObjectType, "ns", new JsonObject { ["name"] = "ns" }, new CustomResourceOptions { Parent = group });
        new CustomResource(ObjectType, "app", new JsonObject { ["name"] = "app" }, new CustomResourceOptions { Parent = group, DependsOn = [ns] });
    };

    [Fact]
    public async Task Objects_name_the_provider_fed_by_another_resource_and_wait_for_it_and_the_checkpoint_records_urn_and_id()
    {
        var h = new Harness();

        var preview = await h.PreviewAsync(Fleet("a"));
        // Nothing is configured from a provider whose inputs are not known yet, and no object is read.
        Assert.Equal(0, h.Factory.Created);
        var app = preview.Steps.Single(s => s.Urn.Name == "app");
        Assert.Equal(StepOp.Create, app.Op);
        Assert.Equal("urn:pulumi:dev::proj::pulumi:providers:kube::fleet::" + PropertyValues.UnknownString, app.New!.Provider);
        Assert.Equal(StepOp.Create, preview.Steps.Single(s => s.Urn.Name == "fleet").Op);
        Assert.True(PropertyValues.ContainsUnknowns(preview.Steps.Single(s => s.Urn.Name == "fleet").New!.Inputs));

        var (_, result) = await h.UpAsync(Fleet("a"));
        Assert.Equal(["a: create ns", "a: create app"], h.Factory.Calls);
        var provider = h.State("fleet");
        Assert.Equal("pulumi:providers:kube", provider.Type);
        Assert.True(Guid.TryParse(provider.Id, out _), $"provider id {provider.Id} is a UUID");
        Assert.True(PropertyValues.IsSecret(provider.Inputs["cluster"]), "the kubeconfig-like input stays secret");
        Assert.Equal($"{provider.Urn}::{provider.Id}", h.State("app").Provider);
        Assert.Equal($"{provider.Urn}::{provider.Id}", h.State("ns").Provider);
        // The provider comes before the objects in the checkpoint (topological), and the explicit provider is counted.
        var order = h.Checkpoint.Resources.Select(r => r.Urn.Name).ToList();
        Assert.True(order.IndexOf("fleet") < order.IndexOf("ns"));
        Assert.Equal(6, result.Performed[StepOp.Create]); // stack, install, provider, group and the two objects

        var json = JsonNode.Parse(CheckpointSerializer.Serialize(h.Checkpoint, new Tests.State.FakeCrypter()))!;
        var appJson = json["checkpoint"]!["latest"]!["resources"]!.AsArray().Single(r => r!["urn"]!.GetValue<string>().EndsWith("::app"))!;
        Assert.Equal($"{provider.Urn}::{provider.Id}", appJson["provider"]!.GetValue<string>());
        var reloaded = CheckpointSerializer.Deserialize(CheckpointSerializer.Serialize(h.Checkpoint, new Tests.State.FakeCrypter()), new Tests.State.FakeCrypter(), "test");
        Assert.Equal(h.State("app").Provider, reloaded.Resources.Single(r => r.Urn.Name == "app").Provider);

        var again = await h.PreviewAsync(Fleet("a"));
        Assert.False(again.HasChanges, string.Join("\n", again.Steps.Where(s => s.Op.IsChange()).Select(s => $"{s.Op} {s.Urn}")));
        Assert.Equal($"{provider.Urn}::{provider.Id}", again.Steps.Single(s => s.Urn.Name == "app").New!.Provider);
    }

    [Fact]
    public async Task A_provider_pointed_at_another_cluster_replaces_its_objects_created_there_and_deleted_from_the_old_one()
    {
        var h = new Harness();
        await h.UpAsync(Fleet("a"));
        var oldProviderId = h.State("fleet").Id;
        h.Factory.Calls.Clear();

        var plan = await h.PreviewAsync(Fleet("b"));
        // The install changes (its output is unknown at plan time), so the provider's config is unknown: its objects
        // are planned as updates on an unknown provider, and the apply decides once the cluster is known.
        var app = plan.Steps.Single(s => s.Urn.Name == "app");
        Assert.Equal(StepOp.Update, app.Op);
        Assert.Contains("provider", app.DiffReasons);
        Assert.True(app.HasUnknowns);

        var (_, result) = await h.UpAsync(Fleet("b"));
        Assert.Equal(3, result.Performed[StepOp.Replace]); // the provider and its two objects (the install is updated)
        var calls = h.Factory.Calls.ToList();
        Assert.Contains("b: create app", calls);
        Assert.Contains("a: delete app", calls);
        Assert.True(calls.IndexOf("b: create app") < calls.IndexOf("a: delete app"));
        Assert.NotNull(h.Factory.Clusters["b"].Live.Keys.SingleOrDefault(u => u.EndsWith("::app")));
        Assert.Empty(h.Factory.Clusters["a"].Live);
        var provider = h.State("fleet");
        Assert.NotEqual(oldProviderId, provider.Id);
        Assert.Equal($"{provider.Urn}::{provider.Id}", h.State("app").Provider);
    }

    [Fact]
    public async Task A_known_change_of_cluster_is_shown_as_a_replace_of_the_provider_and_of_every_object_it_serves()
    {
        var h = new Harness();
        Action<StackContext> direct(string cluster) => ctx =>
        {
            var provider = new ProviderResource("kube", "fleet", new JsonObject { ["cluster"] = cluster });
            new CustomResource(ObjectType, "app", new JsonObject { ["name"] = "app" }, new CustomResourceOptions { Provider = provider });
        };
        await h.UpAsync(direct("a"));

        var plan = await h.PreviewAsync(direct("b"));

        Assert.Equal(StepOp.Replace, plan.Steps.Single(s => s.Urn.Name == "fleet").Op);
        var app = plan.Steps.Single(s => s.Urn.Name == "app");
        Assert.Equal(StepOp.Replace, app.Op);
        Assert.Equal(["provider"], app.ReplaceReasons);
        var text = new StringWriter();
        PreviewRenderer.Render(text, plan, new PreviewOptions());
        Assert.Contains("replace: provider", text.ToString());
        Assert.Contains("waits for provider fleet", text.ToString());

        await h.UpAsync(direct("b"));
        Assert.Contains("a: delete app", h.Factory.Calls);
    }

    [Fact]
    public async Task A_provider_change_that_keeps_the_cluster_updates_the_provider_and_leaves_its_objects()
    {
        var h = new Harness();
        await h.UpAsync(Fleet("a", timeout: "30"));
        h.Factory.Calls.Clear();

        var plan = await h.PreviewAsync(Fleet("a", timeout: "90"));

        Assert.Equal(StepOp.Update, plan.Steps.Single(s => s.Urn.Name == "fleet").Op);
        Assert.Equal(StepOp.Same, plan.Steps.Single(s => s.Urn.Name == "app").Op);
        var id = h.State("fleet").Id;
        await h.UpAsync(Fleet("a", timeout: "90"));
        Assert.Equal(id, h.State("fleet").Id);
        Assert.DoesNotContain(h.Factory.Calls, c => c.Contains("create") || c.Contains("delete"));
    }

    [Fact]
    public async Task Destroy_deletes_the_objects_before_their_provider_and_the_resource_that_feeds_it()
    {
        var h = new Harness();
        await h.UpAsync(Fleet("a"));
        h.Others.Calls.Clear();
        h.Factory.Calls.Clear();

        var result = await h.DestroyAsync();

        Assert.True(result.Succeeded, string.Join("\n", result.Failures));
        Assert.Equal(["a: delete app", "a: delete ns"], h.Factory.Calls);
        Assert.Single(h.Others.Calls, c => c.StartsWith("delete") && c.EndsWith("::install"));
        Assert.Empty(h.Checkpoint.Resources);
        Assert.Empty(h.Factory.Clusters["a"].Live);
    }

    [Fact]
    public async Task Objects_naming_no_provider_use_the_default_one_from_config_which_is_neither_shown_nor_counted()
    {
        var h = new Harness { Defaults = p => p == "kube" ? new JsonObject { ["cluster"] = "home" } : null };
        void Program(StackContext ctx) => new CustomResource(ObjectType, "app", new JsonObject { ["name"] = "app" });

        var plan = await h.PreviewAsync(Program);
        var defaultUrn = "urn:pulumi:dev::proj::pulumi:providers:kube::default";
        Assert.Contains(plan.Steps, s => s.Urn.Value == defaultUrn);
        Assert.Equal(2, plan.ChangeSummary[StepOp.Create]); // the stack and the object
        Assert.True(plan.HasChanges);
        var text = new StringWriter();
        PreviewRenderer.Render(text, plan, new PreviewOptions());
        Assert.DoesNotContain("pulumi:providers", text.ToString());
        var json = new StringWriter();
        JsonDigestWriter.Write(json, plan, new JsonDigestOptions());
        var steps = JsonNode.Parse(json.ToString())!["steps"]!.AsArray();
        Assert.Equal(2, steps.Count);
        Assert.Equal(defaultUrn + "::" + PropertyValues.UnknownString, steps.Single(s => s!["urn"]!.GetValue<string>().EndsWith("::app"))!["provider"]!.GetValue<string>());

        var (_, result) = await h.UpAsync(Program);
        Assert.Equal(2, result.Performed[StepOp.Create]); // the stack and the object; the default provider is not counted
        Assert.Equal(["home: create app"], h.Factory.Calls);
        Assert.StartsWith(defaultUrn + "::", h.State("app").Provider);
    }

    [Fact]
    public async Task A_checkpoint_written_before_provider_resources_loads_and_plans_no_changes_and_the_next_change_records_references()
    {
        var h = new Harness { Defaults = p => p == "kube" ? new JsonObject { ["cluster"] = "home" } : null };
        void Program(StackContext ctx, int size) =>
            new CustomResource(ObjectType, "app", new JsonObject { ["name"] = "app", ["size"] = size });
        await h.UpAsync(ctx => Program(ctx, 1));
        // What an older llmctl wrote: no provider resource and no provider references.
        var legacy = h.Checkpoint with
        {
            Resources = [.. h.Checkpoint.Resources.Where(r => !ProviderResource.IsProviderType(r.Type)).Select(r => r with { Provider = null })],
        };
        var legacyJson = CheckpointSerializer.Serialize(legacy, null);
        Assert.DoesNotContain("\"provider\"", System.Text.Encoding.UTF8.GetString(legacyJson));
        h.Checkpoint = CheckpointSerializer.Deserialize(legacyJson, null, "legacy.json");
        h.Factory.Calls.Clear();

        var plan = await h.PreviewAsync(ctx => Program(ctx, 1));
        Assert.False(plan.HasChanges, string.Join("\n", plan.Steps.Where(s => s.Op.IsChange()).Select(s => $"{s.Op} {s.Urn}")));

        await h.UpAsync(ctx => Program(ctx, 2));
        Assert.Equal(["home: update app"], h.Factory.Calls.Where(c => !c.Contains("diff")));
        var provider = h.State("default");
        Assert.Equal($"{provider.Urn}::{provider.Id}", h.State("app").Provider);
    }

    [Fact]
    public void A_provider_of_another_package_is_refused_and_children_inherit_their_parents_provider()
    {
        StackContext.Run("proj", "dev", ctx =>
        {
            var kube = new ProviderResource("kube", "k", new JsonObject { ["cluster"] = "a" });
            var error = Assert.Throws<ArgumentException>(() => new CustomResource("other:index:Thing", "x", new JsonObject(), new CustomResourceOptions { Provider = kube }));
            Assert.Contains("serves package 'kube'", error.Message);
            var group = new ComponentResource("test:index:Group", "g", new ComponentResourceOptions { Providers = [kube] });
            var inner = new ComponentResource("test:index:Group", "inner", new ComponentResourceOptions { Parent = group });
            Assert.Same(kube, new CustomResource(ObjectType, "child", new JsonObject(), new CustomResourceOptions { Parent = inner }).Provider);
            Assert.Null(new CustomResource("other:index:Thing", "y", new JsonObject(), new CustomResourceOptions { Parent = inner }).Provider);
        });
    }
}
