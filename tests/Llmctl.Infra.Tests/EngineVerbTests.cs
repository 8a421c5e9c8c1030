using System.Text.Json.Nodes;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

/// <summary>The Pulumi verbs of issue 10 through the real command tree: targets, stack rm/history, state delete/rename, version, -v, -p.</summary>
public class EngineVerbTests
{
    private static async Task<StackCheckpoint> CheckpointAsync(CliHarness cli) =>
        (await new FileBackend(cli.StateRoot).LoadAsync("llm-platform", "homelab", null, TestContext.Current.CancellationToken))!;

    /// <summary>A custom resource nothing else depends on or is parented to.</summary>
    private static ResourceState Leaf(StackCheckpoint checkpoint) =>
        checkpoint.Resources.First(r => r.Custom && r.Type == "kubernetes:core/v1:Service"
            && !checkpoint.Resources.Any(o => o.Parent == r.Urn || o.Dependencies.Contains(r.Urn)));

    private static List<(string Op, string Urn)> Steps(string json) =>
        JsonNode.Parse(json)!["steps"]!.AsArray().Select(s => (s!["op"]!.GetValue<string>(), s["urn"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task Version_prints_the_version_like_pulumi_version()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("version"));
        Assert.Matches(@"^v\d+\.\d+\.\d+\S*$", cli.Out.Trim());
    }

    [Theory]
    [InlineData("preview", "-p", "0")]
    [InlineData("preview", "--parallel", "-3")]
    [InlineData("up", "--yes", "-p", "0")]
    [InlineData("destroy", "--yes", "-p", "-1")]
    [InlineData("refresh", "--yes", "-p", "0")]
    public async Task Parallelism_below_one_is_a_usage_error_and_nothing_runs(params string[] args)
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync([.. args, "-s", "homelab"]));
        Assert.Contains("--parallel must be at least 1", cli.Err);
        Assert.DoesNotContain("   at ", cli.Err);
        Assert.Empty(cli.Provider.Calls);
        Assert.False(File.Exists(cli.CheckpointPath));
    }

    [Fact]
    public async Task Verbose_logs_the_stack_the_backend_and_every_planned_step_to_stderr_only()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab", "-v", "3"));
        Assert.Contains("v1] llmctl v", cli.Err);
        Assert.Contains("stack 'homelab'", cli.Err);
        Assert.Contains("plan for llm-platform/homelab:", cli.Err);
        Assert.Contains("v3] plan: create urn:pulumi:homelab::llm-platform::", cli.Err);
        Assert.DoesNotContain("v3] plan:", cli.Out);

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab", "-v", "1"));
        Assert.Contains("v1] plan for", cli.Err);
        Assert.DoesNotContain("v3]", cli.Err);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.DoesNotContain("v1]", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab", "-v", "-1"));
        Assert.Contains("--verbose must be 0 or more", cli.Err);
    }

    [Fact]
    public async Task A_targeted_up_changes_only_the_target_and_keeps_the_other_changes_for_later()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        cli.EditStackFile("ctxSize: 49152", "ctxSize: 32768");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        var changed = Steps(cli.Out).Where(s => s.Op is "update" or "replace").Select(s => s.Urn).ToList();
        Assert.NotEmpty(changed);
        var target = changed[0];

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab", "-t", target));
        Assert.Equal([target], Steps(cli.Out).Where(s => s.Op != "same").Select(s => s.Urn));

        var before = cli.Provider.Calls.Count;
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab", "--target", target));
        Assert.All(cli.Provider.Calls.Skip(before), c => Assert.EndsWith(target, c));
        Assert.NotEmpty(cli.Provider.Calls.Skip(before));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        var left = Steps(cli.Out).Where(s => s.Op is "update" or "replace").Select(s => s.Urn).ToList();
        Assert.Equal(changed.Skip(1), left);
    }

    [Fact]
    public async Task A_target_that_needs_an_uncreated_resource_is_refused_naming_it_and_nothing_is_created()
    {
        using var cli = new CliHarness();
        const string deployment = "urn:pulumi:homelab::llm-platform::llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-27b-deep";

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("up", "--yes", "-s", "homelab", "-t", deployment));
        Assert.Contains($"error: Resource '{deployment}' depends on '", cli.Err);
        Assert.Contains("which was not specified in --target list", cli.Err);
        Assert.Empty(cli.Provider.Calls);

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab", "-t", "urn:pulumi:homelab::llm-platform::nope:index:Thing::x"));
        Assert.Contains("Target 'urn:pulumi:homelab::llm-platform::nope:index:Thing::x' could not be found in the stack.", cli.Err);

        // With its dependents, the lane still needs what it depends on outside itself (its namespace): each is named.
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        var lane = JsonNode.Parse(cli.Out)!["steps"]!.AsArray().Single(s => s!["urn"]!.GetValue<string>() == deployment)!["newState"]!["parent"]!.GetValue<string>();
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab", "-t", lane, "--target-dependents"));
        Assert.Contains($"error: Resource '{deployment}' depends on 'urn:pulumi:homelab::llm-platform::", cli.Err);
        Assert.Contains("kubernetes:core/v1:Namespace::", cli.Err);
        Assert.DoesNotContain($"depends on '{lane}'", cli.Err);
    }

    [Fact]
    public async Task A_targeted_destroy_needs_its_dependents_and_leaves_the_rest()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var checkpoint = await CheckpointAsync(cli);
        var lane = checkpoint.Resources.Single(r => r.Urn.Value.EndsWith("Deployment::qwen36-27b-deep", StringComparison.Ordinal)).Parent!.Value;

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("destroy", "--yes", "-s", "homelab", "-t", lane.Value));
        Assert.Contains("without also deleting child", cli.Err);
        Assert.DoesNotContain(cli.Provider.Calls, c => c.StartsWith("delete", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("destroy", "--yes", "-s", "homelab", "-t", lane.Value, "--target-dependents"));
        var after = await CheckpointAsync(cli);
        Assert.DoesNotContain(after.Resources, r => r.Urn == lane || r.Parent == lane);
        Assert.Equal(checkpoint.Resources.Count(r => r.Urn != lane && r.Parent != lane), after.Resources.Count);
        Assert.All(cli.Provider.Calls.Where(c => c.StartsWith("delete", StringComparison.Ordinal)), c => Assert.Contains("qwen36-27b-deep", c));
    }

    [Fact]
    public async Task A_targeted_refresh_reads_only_the_target()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var leaf = Leaf(await CheckpointAsync(cli));
        var before = cli.Provider.Calls.Count;
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("refresh", "--yes", "-s", "homelab", "-t", leaf.Urn.Value));
        Assert.Equal([$"read {leaf.Urn}"], cli.Provider.Calls.Skip(before));
    }

    [Fact]
    public async Task Stack_rm_refuses_while_resources_remain_and_with_force_removes_state_history_and_config()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("stack", "rm", "homelab"));
        Assert.Contains("--yes must be passed", cli.Err);

        Assert.Equal(ExitCodes.Error, await cli.RunAsync("stack", "rm", "homelab", "--yes"));
        Assert.Contains("'homelab' still has resources", cli.Err);
        Assert.Contains("removal rejected", cli.Err);
        Assert.True(File.Exists(cli.CheckpointPath));
        Assert.True(File.Exists(cli.StackFile));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "rm", "homelab", "--yes", "--force"));
        Assert.Contains("Stack 'homelab' has been removed!", cli.Out);
        Assert.False(File.Exists(cli.CheckpointPath));
        Assert.False(File.Exists(cli.CheckpointPath + ".bak"));
        Assert.False(File.Exists(cli.StackFile));
        Assert.False(Directory.Exists(new FileBackend(cli.StateRoot).HistoryPath("llm-platform", "homelab")));
        Assert.DoesNotContain(cli.Provider.Calls, c => c.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stack_rm_of_an_empty_stack_asks_for_its_name_and_can_keep_the_config()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "init", "lab2"));
        var file = Path.Combine(cli.Directory, "Pulumi.lab2.yaml");
        Assert.Equal(ExitCodes.Cancelled, await cli.RunWithInputAsync("homelab\n", "stack", "rm", "lab2"));
        Assert.True(File.Exists(file));

        Assert.Equal(ExitCodes.Ok, await cli.RunWithInputAsync("lab2\n", "stack", "rm", "lab2", "--preserve-config"));
        Assert.True(File.Exists(file));
        Assert.False(await new FileBackend(cli.StateRoot).ExistsAsync("llm-platform", "lab2", TestContext.Current.CancellationToken));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "rm", "lab2", "--yes"));
        Assert.False(File.Exists(file));
        Assert.Equal(ExitCodes.StackNotFound, await cli.RunAsync("stack", "rm", "lab2", "--yes"));
    }

    [Fact]
    public async Task Stack_history_records_every_update_refresh_and_destroy_newest_first()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "history", "-s", "homelab"));
        Assert.Contains("no history yet", cli.Out);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("refresh", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("destroy", "--yes", "-s", "homelab"));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "history", "--json", "-s", "homelab"));
        var history = JsonNode.Parse(cli.Out)!.AsArray();
        Assert.Equal(["destroy", "refresh", "update", "update"], history.Select(h => h!["kind"]!.GetValue<string>()));
        Assert.Equal([4, 3, 2, 1], history.Select(h => h!["version"]!.GetValue<int>()));
        Assert.All(history, h => Assert.Equal("succeeded", h!["result"]!.GetValue<string>()));
        Assert.True(history[3]!["resourceChanges"]!["create"]!.GetValue<int>() >= 9);
        Assert.Null(history[2]!["resourceChanges"]!["create"]);
        Assert.True(history[2]!["resourceChanges"]!["same"]!.GetValue<int>() >= 9);
        Assert.True(history[0]!["resourceChanges"]!["delete"]!.GetValue<int>() >= 9);
        Assert.All(history, h => Assert.True(DateTimeOffset.Parse(h!["endTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            >= DateTimeOffset.Parse(h["startTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "history", "-s", "homelab"));
        Assert.Contains("Version: 4", cli.Out);
        Assert.Contains("UpdateKind: destroy", cli.Out);
        Assert.Contains("Status: succeeded", cli.Out);
    }

    [Fact]
    public async Task State_delete_refuses_a_resource_others_depend_on_and_forgets_a_leaf_without_touching_it()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var checkpoint = await CheckpointAsync(cli);
        var ns = checkpoint.Resources.First(r => r.Type == "kubernetes:core/v1:Namespace" && checkpoint.Resources.Any(o => o.Dependencies.Contains(r.Urn)));
        var leaf = Leaf(checkpoint);

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("state", "delete", leaf.Urn.Value, "-s", "homelab"));
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("state", "delete", ns.Urn.Value, "--yes", "-s", "homelab"));
        Assert.Contains("can't be safely deleted", cli.Err);
        Assert.Contains("Nothing was changed", cli.Err);
        Assert.Equal(checkpoint.Resources.Count, (await CheckpointAsync(cli)).Resources.Count);

        var calls = cli.Provider.Calls.Count;
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("state", "delete", leaf.Urn.Value, "--yes", "-s", "homelab"));
        Assert.Contains($"Deleted {leaf.Urn} from the state", cli.Out);
        Assert.Equal(calls, cli.Provider.Calls.Count);
        Assert.DoesNotContain((await CheckpointAsync(cli)).Resources, r => r.Urn == leaf.Urn);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        Assert.Equal([("create", leaf.Urn.Value)], Steps(cli.Out).Where(s => s.Op != "same"));
    }

    [Fact]
    public async Task State_rename_moves_the_resource_and_the_program_then_replaces_it_by_its_old_name()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var leaf = Leaf(await CheckpointAsync(cli));
        var renamed = leaf.Urn.Value[..(leaf.Urn.Value.LastIndexOf("::", StringComparison.Ordinal) + 2)] + "renamed";

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("state", "rename", leaf.Urn.Value, "renamed", "--yes", "-s", "homelab"));
        Assert.Contains($"Renamed {leaf.Urn} to {renamed}", cli.Out);
        var after = await CheckpointAsync(cli);
        Assert.Contains(after.Resources, r => r.Urn.Value == renamed && r.Id == leaf.Id);
        Assert.DoesNotContain(after.Resources, r => r.Urn == leaf.Urn);

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        var changes = Steps(cli.Out).Where(s => s.Op != "same").ToList();
        Assert.Contains(("create", leaf.Urn.Value), changes);
        Assert.Contains(("delete", renamed), changes);

        Assert.Equal(ExitCodes.Error, await cli.RunAsync("state", "rename", renamed, "renamed", "--yes", "-s", "homelab"));
        Assert.Contains("already named", cli.Err);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("state", "rename", "not-a-urn", "x", "--yes", "-s", "homelab"));
    }
}
