using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.State;
using Moq;
using static Llmctl.Engine.Tests.Deployment.EngineHarness;

namespace Llmctl.Engine.Tests.Deployment;

public class PlanAndApplyTests
{
    private static void TwoThings(StackContext ctx)
    {
        var group = new ComponentResource("test:index:Group", "group");
        var a = Thing("a", options: new CustomResourceOptions { Parent = group });
        Thing("b", new JsonObject { ["size"] = 2 }, new CustomResourceOptions { Parent = group, DependsOn = [a] });
    }

    [Fact]
    public async Task A_first_up_creates_everything_and_a_second_shows_no_changes()
    {
        var h = new EngineHarness();
        var (plan, result) = await h.UpAsync(TwoThings);
        Assert.All(plan.Steps, s => Assert.Equal(StepOp.Create, s.Op));
        Assert.True(result.Succeeded);
        Assert.Equal(4, h.Checkpoint.Resources.Count);
        Assert.Equal(StackResource.TypeToken, h.Checkpoint.Resources[0].Type);

        var again = await h.PreviewAsync(TwoThings);
        Assert.False(again.HasChanges);
        Assert.All(again.Steps, s => Assert.Equal(StepOp.Same, s.Op));
    }

    [Fact]
    public async Task Creates_follow_dependencies_and_deletes_run_in_reverse()
    {
        var h = new EngineHarness();
        await h.UpAsync(TwoThings);
        var creates = h.Provider.Calls.Where(c => c.StartsWith("create")).ToList();
        Assert.EndsWith("::a", creates[0]);
        Assert.EndsWith("::b", creates[1]);

        await h.DestroyAsync();
        var deletes = h.Provider.Calls.Where(c => c.StartsWith("delete")).ToList();
        Assert.EndsWith("::b", deletes[0]);
        Assert.EndsWith("::a", deletes[1]);
        Assert.Empty(h.Checkpoint.Resources);
    }

    [Fact]
    public async Task A_changed_input_is_an_update_with_a_property_level_diff()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 1, ["image"] = "x" } }));
        var plan = await h.PreviewAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 0, ["image"] = "x" } }));
        var step = Assert.Single(plan.Steps, s => s.Op.IsChange());
        Assert.Equal(StepOp.Update, step.Op);
        Assert.Equal(["spec"], step.DiffReasons);
        var diff = Assert.Single(step.DetailedDiff);
        Assert.Equal("spec.replicas", diff.Path);
        Assert.Equal(DiffKind.Update, diff.Kind);
    }

    [Fact]
    public async Task ReplaceOnChanges_turns_a_matching_change_into_a_replace_with_reasons()
    {
        var h = new EngineHarness();
        var options = new CustomResourceOptions { ReplaceOnChanges = ["spec.selector"] };
        await h.UpAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["selector"] = "x" } }, options));
        var (plan, result) = await h.UpAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["selector"] = "y" } }, options));
        var step = Assert.Single(plan.Steps, s => s.Op.IsChange());
        Assert.Equal(StepOp.Replace, step.Op);
        Assert.Equal(["spec.selector"], step.ReplaceReasons);
        Assert.Equal(DiffKind.UpdateReplace, step.DetailedDiff.Single().Kind);
        Assert.True(result.Succeeded);
        Assert.Contains(h.Provider.Calls, c => c.StartsWith("delete"));
        Assert.Equal("y", h.Checkpoint.Resources.Single(r => r.Custom).Inputs["spec"]!["selector"]!.GetValue<string>());
    }

    [Fact]
    public async Task IgnoreChanges_keeps_the_old_value_so_nothing_changes()
    {
        var h = new EngineHarness();
        var options = new CustomResourceOptions { IgnoreChanges = ["spec.replicas"] };
        await h.UpAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 1 } }, options));
        var plan = await h.PreviewAsync(_ => Thing("a", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, options));
        Assert.False(plan.HasChanges);
    }

    [Fact]
    public async Task A_protected_resource_refuses_deletion_with_pulumis_message()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("keep", options: new CustomResourceOptions { Protect = true }));
        var plan = await h.PreviewAsync(_ => { });
        var error = Assert.Single(plan.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.StartsWith("resource \"urn:pulumi:dev::proj::test:index:Thing::keep\" cannot be deleted\nbecause it is protected.", error.Message);
    }

    [Fact]
    public async Task Protect_and_retain_are_inherited_from_a_component_parent()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ =>
        {
            var group = new ComponentResource("test:index:Group", "g", new ComponentResourceOptions { Protect = true, RetainOnDelete = true });
            Thing("child", options: new CustomResourceOptions { Parent = group });
        });
        var child = h.Checkpoint.Resources.Single(r => r.Custom);
        Assert.True(child.Protect);
        Assert.True(child.RetainOnDelete);
    }

    [Fact]
    public async Task An_alias_turns_a_rename_into_an_update_not_a_replace()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("old-name"));
        var plan = await h.PreviewAsync(_ => Thing("new-name", options: new CustomResourceOptions { Aliases = [new Alias { Name = "old-name" }] }));
        Assert.DoesNotContain(plan.Steps, s => s.Op is StepOp.Delete or StepOp.Create && s.Type != StackResource.TypeToken);
        Assert.Contains(plan.Steps, s => s.Op == StepOp.Update && s.Urn.Name == "new-name");
    }

    [Fact]
    public async Task A_deferred_output_is_unknown_in_preview_and_resolved_during_up()
    {
        var mocks = new Mock<Testing.IMocks>();
        mocks.Setup(m => m.NewResourceAsync(It.IsAny<Testing.MockResourceArgs>()))
            .Returns((Testing.MockResourceArgs a) => Task.FromResult<(string?, JsonObject)>((a.Name,
                a.Name == "cluster" ? new JsonObject { ["kubeconfig"] = "apiVersion: v1" } : (JsonObject)a.Inputs.DeepClone())));
        var h = new EngineHarness(mocks.Object);
        void Program(StackContext ctx)
        {
            var cluster = Thing("cluster");
            var kubeconfig = cluster.GetOutput<string>("kubeconfig").AsSecret();
            Thing("consumer", new JsonObject { ["config"] = ctx.ToInput(kubeconfig) });
        }
        var preview = await h.PreviewAsync(Program);
        var consumer = preview.Steps.Single(s => s.Urn.Name == "consumer");
        Assert.True(consumer.HasUnknowns);
        Assert.Contains(consumer.New!.Dependencies, u => u.Name == "cluster");

        var (_, result) = await h.UpAsync(Program);
        Assert.True(result.Succeeded);
        var stored = h.Checkpoint.Resources.Single(r => r.Urn.Name == "consumer").Inputs["config"];
        Assert.True(PropertyValues.IsSecret(stored));
        Assert.Equal("apiVersion: v1", PropertyValues.Unwrap(stored)!.GetValue<string>());
    }

    [Fact]
    public void A_duplicate_urn_is_refused_with_pulumis_message()
    {
        var ex = Assert.Throws<DuplicateUrnException>(() => StackContext.Run("proj", "dev", _ =>
        {
            Thing("same");
            Thing("same");
        }));
        Assert.Equal("Duplicate resource URN 'urn:pulumi:dev::proj::test:index:Thing::same'; try giving it a unique name", ex.Message);
    }

    [Fact]
    public async Task A_pending_operation_is_written_before_a_step_and_cleared_after()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ => Thing("a"));
        Assert.Contains(h.Backend.Saves, c => c.PendingOperations.Any(p => p.Type == PendingOperationType.Creating && p.Resource.Urn.Name == "a"));
        Assert.Empty(h.Checkpoint.PendingOperations);
    }

    [Fact]
    public async Task A_failed_step_keeps_what_succeeded_and_skips_what_depends_on_it()
    {
        var mocks = new Mock<Testing.IMocks>();
        mocks.Setup(m => m.NewResourceAsync(It.IsAny<Testing.MockResourceArgs>()))
            .Returns((Testing.MockResourceArgs a) => a.Name == "bad"
                ? throw new Providers.ProviderException("the API server said no")
                : Task.FromResult<(string?, JsonObject)>((a.Name, a.Inputs)));
        var h = new EngineHarness(mocks.Object);
        void Program(StackContext _)
        {
            var good = Thing("good");
            var bad = Thing("bad", options: new CustomResourceOptions { DependsOn = [good] });
            Thing("after", options: new CustomResourceOptions { DependsOn = [bad] });
        }
        var (_, result) = await h.UpAsync(Program, new UpdateOptions { Parallelism = 1 });
        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("the API server said no", failure.Message);
        Assert.Contains(h.Checkpoint.Resources, r => r.Urn.Name == "good");
        Assert.DoesNotContain(h.Checkpoint.Resources, r => r.Urn.Name is "bad" or "after");
        Assert.Empty(h.Checkpoint.PendingOperations);
        Assert.DoesNotContain(h.Provider.Calls, c => c.EndsWith("::after"));
    }

    [Fact]
    public async Task Refresh_drops_vanished_objects_and_records_drift()
    {
        var h = new EngineHarness();
        await h.UpAsync(TwoThings);
        var a = h.Checkpoint.Resources.Single(r => r.Urn.Name == "a");
        var b = h.Checkpoint.Resources.Single(r => r.Urn.Name == "b");
        h.Provider.Forget(a.Urn);
        h.Provider.Drift(b.Urn, new JsonObject { ["size"] = 99 });
        var refresh = await new Refresher(h.Providers).RefreshAsync(h.Checkpoint);
        Assert.Equal(StepOp.Delete, refresh.Plan.Find(a.Urn)!.Op);
        Assert.Equal(StepOp.Update, refresh.Plan.Find(b.Urn)!.Op);
        Assert.DoesNotContain(refresh.Refreshed.Resources, r => r.Urn == a.Urn);
        Assert.Equal(99, refresh.Refreshed.Resources.Single(r => r.Urn == b.Urn).Outputs["size"]!.GetValue<int>());
    }

    [Fact]
    public async Task Independent_steps_run_in_parallel_within_the_bound()
    {
        var running = 0;
        var peak = 0;
        var mocks = new Mock<Testing.IMocks>();
        mocks.Setup(m => m.NewResourceAsync(It.IsAny<Testing.MockResourceArgs>()))
            .Returns(async (Testing.MockResourceArgs a) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Delay(30);
                Interlocked.Decrement(ref running);
                return ((string?)a.Name, a.Inputs);
            });
        var h = new EngineHarness(mocks.Object);
        await h.UpAsync(_ =>
        {
            for (var i = 0; i < 12; i++) Thing($"t{i}");
        }, new UpdateOptions { Parallelism = 4 });
        Assert.InRange(peak, 2, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public class OrderingTests
{
    [Fact]
    public async Task A_dependency_added_on_a_later_resource_is_created_first()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ =>
        {
            var user = EngineHarness.Thing("user");
            var ns = EngineHarness.Thing("namespace");
            user.DependOn(ns);
        }, new UpdateOptions { Parallelism = 4 });
        var creates = h.Provider.Calls.Where(c => c.StartsWith("create")).ToList();
        Assert.EndsWith("::namespace", creates[0]);
        Assert.EndsWith("::user", creates[1]);
    }

    [Fact]
    public async Task A_dependency_cycle_is_an_error_naming_the_resources()
    {
        var h = new EngineHarness();
        var plan = await h.PreviewAsync(_ =>
        {
            var a = EngineHarness.Thing("a");
            var b = EngineHarness.Thing("b");
            a.DependOn(b);
            b.DependOn(a);
        });
        var error = Assert.Single(plan.Diagnostics);
        Assert.Matches("dependency cycle: (a -> b -> a|b -> a -> b)", error.Message);
    }
}

public class ComponentOutputTests
{
    [Fact]
    public async Task A_component_and_the_stack_may_export_a_childs_output_without_a_cycle()
    {
        var h = new EngineHarness();
        var (plan, result) = await h.UpAsync(ctx =>
        {
            var group = new ComponentResource("test:index:Group", "group");
            var child = EngineHarness.Thing("child", options: new CustomResourceOptions { Parent = group });
            group.RegisterOutputs(new Dictionary<string, object?> { ["size"] = child.GetOutput<int>("size") });
            ctx.Export("childSize", child.GetOutput<int>("size"));
        });
        Assert.Empty(plan.Diagnostics);
        Assert.True(result.Succeeded);
        Assert.Equal(1, h.Checkpoint.StackOutputs["childSize"]!.GetValue<int>());
        Assert.Equal(1, h.Checkpoint.Resources.Single(r => r.Urn.Name == "group").Outputs["size"]!.GetValue<int>());
    }
}

public class ComponentDependencyTests
{
    [Fact]
    public async Task Children_of_a_component_wait_for_what_the_component_depends_on()
    {
        var h = new EngineHarness();
        await h.UpAsync(_ =>
        {
            var first = EngineHarness.Thing("first");
            var group = new ComponentResource("test:index:Group", "group", new ComponentResourceOptions { DependsOn = [first] });
            EngineHarness.Thing("child", options: new CustomResourceOptions { Parent = group });
        }, new UpdateOptions { Parallelism = 8 });
        var creates = h.Provider.Calls.Where(c => c.StartsWith("create")).ToList();
        Assert.EndsWith("::first", creates[0]);
        Assert.EndsWith("::child", creates[1]);

        await h.DestroyAsync();
        var deletes = h.Provider.Calls.Where(c => c.StartsWith("delete")).ToList();
        Assert.EndsWith("::child", deletes[0]);
        Assert.EndsWith("::first", deletes[1]);
    }
}
