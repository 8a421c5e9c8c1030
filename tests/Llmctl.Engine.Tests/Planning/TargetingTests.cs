using System.Text.Json.Nodes;
using Llmctl.Engine.Deployment;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Tests.Deployment;
using static Llmctl.Engine.Tests.Deployment.EngineHarness;

namespace Llmctl.Engine.Tests.Planning;

public class TargetingTests
{
    private const string A = "urn:pulumi:dev::proj::test:index:Group$test:index:Thing::a";
    private const string B = "urn:pulumi:dev::proj::test:index:Group$test:index:Thing::b";
    private const string C = "urn:pulumi:dev::proj::test:index:Thing::c";
    private const string Group = "urn:pulumi:dev::proj::test:index:Group::group";

    /// <summary>A group holding a and b (b depends on a), and c beside it; <paramref name="size"/> sets every input.</summary>
    private static Action<StackContext> Program(int size, bool withC = true) => _ =>
    {
        var group = new ComponentResource("test:index:Group", "group");
        var a = Thing("a", new JsonObject { ["size"] = size }, new CustomResourceOptions { Parent = group });
        Thing("b", new JsonObject { ["size"] = size }, new CustomResourceOptions { Parent = group, DependsOn = [a] });
        if (withC) Thing("c", new JsonObject { ["size"] = size });
    };

    private static PlanOptions Targets(bool dependents, params string[] targets) => new() { Targets = TargetSet.From(targets), TargetDependents = dependents };

    private static int Size(EngineHarness h, string urn) =>
        h.Checkpoint.Resources.Single(r => r.Urn.Value == urn).Inputs["size"]!.GetValue<int>();

    [Fact]
    public async Task Only_the_target_is_updated_and_every_other_change_is_left_as_the_checkpoint_has_it()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));
        var calls = h.Provider.Calls.Count;

        var (plan, result) = await h.UpAsync(Program(2), planOptions: Targets(false, C));

        Assert.True(result.Succeeded);
        Assert.Equal(StepOp.Update, plan.Find(new Urn(C))!.Op);
        Assert.Equal(StepOp.Same, plan.Find(new Urn(A))!.Op);
        Assert.Equal(StepOp.Same, plan.Find(new Urn(B))!.Op);
        Assert.Equal(["update " + C], h.Provider.Calls.Skip(calls));
        Assert.Equal(2, Size(h, C));
        Assert.Equal(1, Size(h, A));
        Assert.Equal(1, Size(h, B));
        // The untargeted changes are still there for the next full run.
        var full = await h.PreviewAsync(Program(2));
        Assert.Equal(StepOp.Update, full.Find(new Urn(A))!.Op);
        Assert.Equal(StepOp.Same, full.Find(new Urn(C))!.Op);
    }

    [Fact]
    public async Task Target_dependents_pulls_in_everything_that_depends_on_or_is_a_child_of_the_target()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));

        var alone = await h.PreviewAsync(Program(2), Targets(false, A));
        Assert.Equal(StepOp.Update, alone.Find(new Urn(A))!.Op);
        Assert.Equal(StepOp.Same, alone.Find(new Urn(B))!.Op);

        var withDependents = await h.PreviewAsync(Program(2), Targets(true, A));
        Assert.Equal(StepOp.Update, withDependents.Find(new Urn(B))!.Op);
        Assert.Equal(StepOp.Same, withDependents.Find(new Urn(C))!.Op);

        var children = await h.PreviewAsync(Program(2), Targets(true, Group));
        Assert.Equal(StepOp.Update, children.Find(new Urn(A))!.Op);
        Assert.Equal(StepOp.Update, children.Find(new Urn(B))!.Op);
        Assert.Equal(StepOp.Same, children.Find(new Urn(C))!.Op);
    }

    [Fact]
    public async Task A_target_that_needs_an_untargeted_resource_that_does_not_exist_is_refused_naming_it()
    {
        var h = new EngineHarness();

        var plan = await h.PreviewAsync(Program(1), Targets(false, B));

        var errors = plan.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.Contains(errors, d => d.Code == Targeting.UntargetedCreate && d.Message == $"Resource '{B}' depends on '{A}' which was not specified in --target list.");
        Assert.Contains(errors, d => d.Code == Targeting.UntargetedCreate && d.Message.Contains($"depends on '{Group}'", StringComparison.Ordinal));
        Assert.All(errors, d => Assert.True(Targeting.IsTargetError(d)));
        Assert.Null(plan.Find(new Urn(C)));
        Assert.Null(plan.Find(new Urn(A)));

        var whole = await h.PreviewAsync(Program(1), Targets(false, Group, A, B));
        Assert.DoesNotContain(whole.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(StepOp.Create, whole.Find(new Urn(B))!.Op);
        Assert.Null(whole.Find(new Urn(C)));
    }

    [Fact]
    public async Task A_target_that_matches_nothing_is_an_error_and_warns_of_a_shell_eaten_dollar()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));

        var plan = await h.PreviewAsync(Program(1), Targets(false, "urn:pulumi:dev::proj::test:index:Group:index:Thing::a", "urn:pulumi:dev::proj::test:index:Thing::nope$"));

        var messages = plan.Diagnostics.Where(d => d.Code == Targeting.TargetNotFound).Select(d => d.Message).ToList();
        Assert.Equal(2, messages.Count);
        Assert.Contains("Target 'urn:pulumi:dev::proj::test:index:Group:index:Thing::a' could not be found in the stack. Did you forget to escape $ in your shell?", messages);
        Assert.Contains("Target 'urn:pulumi:dev::proj::test:index:Thing::nope$' could not be found in the stack.", messages);
    }

    [Fact]
    public async Task Globs_match_within_a_segment_with_one_star_and_across_segments_with_two()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));

        var plan = await h.PreviewAsync(Program(2), Targets(false, "**::b"));
        Assert.Equal(StepOp.Update, plan.Find(new Urn(B))!.Op);
        Assert.Equal(StepOp.Same, plan.Find(new Urn(A))!.Op);

        var star = await h.PreviewAsync(Program(2), Targets(false, "urn:pulumi:dev::proj::test:index:Thing::*"));
        Assert.Equal(StepOp.Update, star.Find(new Urn(C))!.Op);
        Assert.Equal(StepOp.Same, star.Find(new Urn(A))!.Op);
    }

    [Fact]
    public async Task An_untargeted_resource_gone_from_the_program_is_kept_and_a_targeted_one_is_deleted()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));

        var (kept, _) = await h.UpAsync(Program(1, withC: false), planOptions: Targets(false, A));
        Assert.Null(kept.Find(new Urn(C)));
        Assert.Contains(h.Checkpoint.Resources, r => r.Urn.Value == C);

        var (deleted, result) = await h.UpAsync(Program(1, withC: false), planOptions: Targets(false, C));
        Assert.True(result.Succeeded);
        Assert.Equal(StepOp.Delete, deleted.Find(new Urn(C))!.Op);
        Assert.DoesNotContain(h.Checkpoint.Resources, r => r.Urn.Value == C);
    }

    [Fact]
    public async Task A_targeted_destroy_refuses_to_strand_dependents_unless_they_are_targeted_too()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));

        var refused = Planner.PlanDestroy(h.Checkpoint, TargetSet.From([A]), targetDependents: false);
        var error = Assert.Single(refused.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(Targeting.UntargetedDestroy, error.Code);
        Assert.StartsWith($"Resource '{B}' will be destroyed but was not specified in --target list.", error.Message, StringComparison.Ordinal);

        var parent = Planner.PlanDestroy(h.Checkpoint, TargetSet.From([Group]), targetDependents: false);
        Assert.Contains(parent.Diagnostics, d => d.Code == Targeting.ParentWithoutChild && d.Message.StartsWith($"Cannot delete parent resource '{Group}' without also deleting child", StringComparison.Ordinal));

        var result = await h.DestroyAsync(TargetSet.From([A]), targetDependents: true);
        Assert.True(result.Succeeded);
        var deletes = h.Provider.Calls.Where(c => c.StartsWith("delete", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, deletes.Count);
        Assert.Contains("::b", deletes[0]);
        Assert.Contains("::a", deletes[1]);
        Assert.Equal([Group, C], h.Checkpoint.Resources.Where(r => r.Type != StackResource.TypeToken).Select(r => r.Urn.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_targeted_refresh_reads_only_its_targets()
    {
        var h = new EngineHarness();
        await h.UpAsync(Program(1));
        var calls = h.Provider.Calls.Count;

        var result = await new Refresher(h.Providers).RefreshAsync(h.Checkpoint, targets: TargetSet.From([C]));

        var reads = h.Provider.Calls.Skip(calls).ToList();
        Assert.Single(reads);
        Assert.Contains(C, reads[0]);
        Assert.Empty(result.Plan.Diagnostics);
        var missing = await new Refresher(h.Providers).RefreshAsync(h.Checkpoint, targets: TargetSet.From(["urn:pulumi:dev::proj::test:index:Thing::zzz"]));
        Assert.Equal(Targeting.TargetNotFound, Assert.Single(missing.Plan.Diagnostics).Code);
    }
}
