using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

public class VerbTests
{
    [Fact]
    public async Task Preview_of_the_homelab_stack_prints_the_tree_and_exits_0()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("pulumi:pulumi:Stack", cli.Out);
        Assert.Contains("└─ kubernetes:node.k8s.io/v1:RuntimeClass", cli.Out);
        Assert.Contains("kubernetes:apps/v1:Deployment", cli.Out);
        Assert.Contains("qwen36-35b-gguf-fast", cli.Out);
        Assert.Contains("to create", cli.Out);
        Assert.DoesNotContain("\u001b[", cli.Out);
        Assert.False(File.Exists(cli.CheckpointPath), "a preview must not write state");
    }

    [Fact]
    public async Task The_stack_comes_from_LLMCTL_STACK_when_no_flag_is_given()
    {
        using var cli = new CliHarness();
        File.Copy(cli.StackFile, Path.Combine(cli.Directory, "Pulumi.other.yaml"));
        Assert.Equal(ExitCodes.StackNotFound, await cli.RunAsync("preview"));
        Assert.Contains("no stack selected", cli.Err);
        cli.Env("LLMCTL_STACK", "homelab");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview"));
    }

    [Fact]
    public async Task Up_without_yes_when_not_interactive_exits_2_and_changes_nothing()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("up", "-s", "homelab"));
        Assert.Contains("--yes must be passed in to proceed when running in non-interactive mode", cli.Err);
        Assert.Empty(cli.Provider.Calls);
        Assert.False(File.Exists(cli.CheckpointPath));
    }

    [Fact]
    public async Task A_second_up_through_the_mocks_seam_shows_no_changes()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Contains("created", cli.Out);
        var created = cli.Provider.Calls.Count(c => c.StartsWith("create"));
        Assert.True(created >= 9, $"expected the custom resources to be created, saw {created}");

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Equal(created, cli.Provider.Calls.Count(c => c.StartsWith("create")));
        Assert.DoesNotContain(cli.Provider.Calls, c => c.StartsWith("update") || c.StartsWith("delete"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--expect-no-changes", "-s", "homelab"));
    }

    [Fact]
    public async Task Expect_no_changes_exits_7_when_the_stack_file_changed()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        cli.EditStackFile("ctxSize: 49152", "ctxSize: 32768");
        Assert.Equal(ExitCodes.ChangesNotExpected, await cli.RunAsync("preview", "--expect-no-changes", "--diff", "-s", "homelab"));
        Assert.Contains("~ ", cli.Out);
        Assert.Contains("32768", cli.Out);
        Assert.Equal(ExitCodes.ChangesNotExpected, await cli.RunAsync("up", "--yes", "--expect-no-changes", "-s", "homelab"));
        Assert.DoesNotContain(cli.Provider.Calls, c => c.StartsWith("update"));
    }

    [Fact]
    public async Task Destroy_removes_everything_in_reverse_order()
    {
        using var cli = new CliHarness();
        await cli.RunAsync("up", "--yes", "-s", "homelab");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("destroy", "--yes", "-s", "homelab"));
        var deletes = cli.Provider.Calls.Where(c => c.StartsWith("delete")).ToList();
        var namespaceAt = deletes.FindIndex(c => c.Contains("kubernetes:core/v1:Namespace"));
        var deploymentAt = deletes.FindIndex(c => c.Contains("kubernetes:apps/v1:Deployment"));
        Assert.True(deploymentAt >= 0 && namespaceAt > deploymentAt, "Deployments are deleted before their Namespace:\n" + string.Join('\n', deletes));
        Assert.Empty(cli.Checkpoint()["checkpoint"]!["latest"]!["resources"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task Refresh_records_an_object_that_vanished()
    {
        using var cli = new CliHarness();
        await cli.RunAsync("up", "--yes", "-s", "homelab");
        var service = cli.Provider.Live.Keys.First(k => k.Contains("kubernetes:core/v1:Service::qwen36-27b-deep"));
        cli.Provider.Forget(new Engine.Model.Urn(service));
        Assert.Equal(ExitCodes.ChangesNotExpected, await cli.RunAsync("refresh", "--preview-only", "--expect-no-changes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("refresh", "--yes", "-s", "homelab"));
        Assert.DoesNotContain(service, File.ReadAllText(cli.CheckpointPath));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("1 to create", cli.Out);
    }

    [Fact]
    public async Task A_second_concurrent_up_is_refused_at_once_naming_the_holder()
    {
        using var cli = new CliHarness();
        var backend = new FileBackend(cli.StateRoot);
        await using (await backend.LockAsync("llm-platform", "homelab", "up"))
        {
            Assert.Equal(ExitCodes.Error, await cli.RunAsync("up", "--yes", "-s", "homelab"));
            Assert.Contains("is locked by", cli.Err);
            Assert.Contains($"pid {Environment.ProcessId}", cli.Err);
            Assert.Empty(cli.Provider.Calls);
        }
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
    }

    [Fact]
    public async Task Stack_output_shows_the_outputs_as_text_and_json()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.StackNotFound, await cli.RunAsync("stack", "output", "-s", "homelab"));
        await cli.RunAsync("up", "--yes", "-s", "homelab");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "output", "lanesNamespace", "-s", "homelab"));
        Assert.Equal("llm", cli.Out.Trim());
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "output", "--json", "-s", "homelab"));
        Assert.Contains("\"activeLanes\"", cli.Out);
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("stack", "output", "nope", "-s", "homelab"));
        Assert.Contains("does not have output property 'nope'", cli.Err);
    }

    [Fact]
    public async Task Stack_init_creates_the_file_and_ls_lists_it()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "init", "lab2"));
        Assert.True(File.Exists(Path.Combine(cli.Directory, "Pulumi.lab2.yaml")));
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("stack", "init", "lab2"));
        Assert.Contains("already exists", cli.Err);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "ls", "--json"));
        Assert.Contains("\"lab2\"", cli.Out);
        Assert.Contains("\"homelab\"", cli.Out);
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("stack", "init", "bad/name"));
    }

    [Fact]
    public async Task A_protected_resource_blocks_a_preview_that_would_delete_it()
    {
        using var cli = new CliHarness();
        await cli.RunAsync("up", "--yes", "-s", "homelab");
        const string urn = "urn:pulumi:homelab::llm-platform::llmctl:models:LlamaCppLane$kubernetes:apps/v1:Deployment::qwen36-27b-deep";
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("state", "protect", urn, "-s", "homelab"));
        var text = File.ReadAllText(cli.StackFile);
        var at = text.IndexOf("      - name: qwen36-27b-deep", StringComparison.Ordinal);
        File.WriteAllText(cli.StackFile, text[..at]);
        Assert.Equal(ExitCodes.ResourceError, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains($"resource \"{urn}\" cannot be deleted", cli.Out + cli.Err);
        Assert.Contains("because it is protected", cli.Out + cli.Err);
        Assert.Equal(ExitCodes.ResourceError, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.DoesNotContain(cli.Provider.Calls, c => c.StartsWith("delete"));
    }

    [Fact]
    public async Task A_mandatory_policy_violation_blocks_with_exit_5()
    {
        using var cli = new CliHarness();
        // The all-zero digest of a sample file passes the lane's own argument check but not the policy.
        cli.EditStackFile("server-cuda@sha256:5268283a8d6510d167364f19aee93e98180d8eb0cac4b7edb20af7e3edf40c17\n        model: Qwen3.6-35B-A3B-UD-Q4_K_M.gguf\n        modelRef: qwen36-35b-a3b-ud-q4-k-m # models.lock.yaml: the Deployment carries the lock's annotations\n        alias: qwen36-35b-gguf-fast # seed 002: the pod command's --alias is the lane name",
            "server-cuda@sha256:" + new string('0', 64) + "\n        model: Qwen3.6-35B-A3B-UD-Q4_K_M.gguf\n        modelRef: qwen36-35b-a3b-ud-q4-k-m # models.lock.yaml: the Deployment carries the lock's annotations\n        alias: qwen36-35b-gguf-fast # seed 002: the pod command's --alias is the lane name");
        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains("[mandatory]  llmctl-platform v0.2.0  pinned-digests", cli.Out);
        Assert.Equal(ExitCodes.PolicyViolation, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Empty(cli.Provider.Calls);
    }

    [Fact]
    public async Task Colour_appears_only_on_a_terminal_without_NO_COLOR_or_when_forced()
    {
        using var terminal = new CliHarness { Terminal = true };
        await terminal.RunAsync("preview", "-s", "homelab");
        Assert.Contains("\u001b[", terminal.Out);
        terminal.Env("NO_COLOR", "1");
        await terminal.RunAsync("preview", "-s", "homelab");
        Assert.DoesNotContain("\u001b[", terminal.Out);

        using var pipe = new CliHarness();
        await pipe.RunAsync("preview", "--color", "always", "-s", "homelab");
        Assert.Contains("\u001b[", pipe.Out);
    }

    [Fact]
    public async Task Json_and_markdown_previews_are_machine_and_review_readable()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--json", "-s", "homelab"));
        var digest = System.Text.Json.Nodes.JsonNode.Parse(cli.Out)!;
        Assert.Equal("create", digest["steps"]![0]!["op"]!.GetValue<string>());
        Assert.NotNull(digest["changeSummary"]!["create"]);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--markdown", "-s", "homelab"));
        Assert.Contains("| Type | Name |", cli.Out.Replace("|:-:", "", StringComparison.Ordinal));
    }
}

public class RenderVerbTests
{
    [Fact]
    public async Task Render_writes_the_same_bytes_twice_and_a_kustomization()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("render", "-s", "homelab", "--out", "gitops"));
        var dir = Path.Combine(cli.Directory, "gitops");
        var first = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order().Select(f => (f, File.ReadAllBytes(f))).ToList();
        Assert.Contains(first, x => x.f.EndsWith(Path.Combine("llm", "deployment-qwen36-35b-gguf-fast.yaml")));
        var kustomization = File.ReadAllText(Path.Combine(dir, "kustomization.yaml"));
        Assert.Contains("llm/deployment-qwen36-35b-gguf-fast.yaml", kustomization);

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("render", "-s", "homelab", "--out", "gitops"));
        var second = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order().Select(f => (f, File.ReadAllBytes(f))).ToList();
        Assert.Equal(first.Select(x => x.f), second.Select(x => x.f));
        Assert.All(first.Zip(second), p => Assert.Equal(p.First.Item2, p.Second.Item2));
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("render", "-s", "homelab"));
    }
}

public class ConfirmationTests
{
    [Fact]
    public async Task An_interactive_up_applies_only_after_yes()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Cancelled, await cli.RunWithInputAsync("no\n", "up", "-s", "homelab"));
        Assert.Contains("Do you want to perform this update?", cli.Out);
        Assert.Empty(cli.Provider.Calls);

        Assert.Equal(ExitCodes.Ok, await cli.RunWithInputAsync("yes\n", "up", "-s", "homelab"));
        Assert.Contains(cli.Provider.Calls, c => c.StartsWith("create"));
    }

    [Fact]
    public async Task Non_interactive_flag_refuses_to_prompt_even_on_a_terminal()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunWithInputAsync("yes\n", "up", "--non-interactive", "-s", "homelab"));
        Assert.Empty(cli.Provider.Calls);
    }
}
