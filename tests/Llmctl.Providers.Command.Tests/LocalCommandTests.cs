using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;

namespace Llmctl.Providers.Command.Tests;

public class LocalCommandTests : CommandTestBase
{
    [Fact]
    public async Task Create_update_and_delete_each_run_their_own_command()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = $"echo created >> {PathOf("log")}; echo out-create",
            Update = $"echo updated >> {PathOf("log")}; echo out-update",
            Delete = $"echo deleted >> {PathOf("log")}",
        }));
        var created = await CreateAsync(r);
        Assert.Equal("out-create", Text(created.Outputs, "stdout"));
        Assert.Equal("", Text(created.Outputs, "stderr"));
        var updated = await Provider.UpdateAsync(r.Urn, r.Type, created.Id, r.Inputs, created.Outputs, r.Inputs, Timeout, Ct);
        Assert.Equal("out-update", Text(updated.Outputs, "stdout"));
        Assert.Equal(created.Id, updated.Id);
        await Provider.DeleteAsync(r.Urn, r.Type, updated.Id, r.Inputs, updated.Outputs, Timeout, Ct);
        Assert.Equal("created\nupdated\ndeleted\n", Read("log"));
    }

    [Fact]
    public async Task An_update_without_an_update_command_runs_create_again()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs { Create = $"echo run >> {PathOf("log")}" }));
        var created = await CreateAsync(r);
        await Provider.UpdateAsync(r.Urn, r.Type, created.Id, r.Inputs, created.Outputs, r.Inputs, Timeout, Ct);
        Assert.Equal("run\nrun\n", Read("log"));
    }

    [Fact]
    public async Task Stdin_environment_interpreter_and_dir_reach_the_command()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "cat; printf '|%s|%s' \"$GREETING\" \"$(pwd)\"",
            Stdin = "from stdin\n",
            Environment = new Dictionary<string, Output<string>> { ["GREETING"] = "it's \"quoted\" $HOME" },
            Interpreter = ["/bin/bash", "-c"],
            Dir = Dir,
        }));
        var created = await CreateAsync(r);
        Assert.Equal($"from stdin\n|it's \"quoted\" $HOME|{Dir}", Text(created.Outputs, "stdout"));
    }

    [Fact]
    public async Task Update_and_delete_see_the_previous_output_in_the_environment()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "echo first; echo first-err >&2",
            Update = "echo \"prev=$PULUMI_COMMAND_STDOUT/$PULUMI_COMMAND_STDERR\"",
            Delete = $"echo \"$PULUMI_COMMAND_STDOUT\" > {PathOf("deleted")}",
        }));
        var created = await CreateAsync(r);
        var updated = await Provider.UpdateAsync(r.Urn, r.Type, created.Id, r.Inputs, created.Outputs, r.Inputs, Timeout, Ct);
        Assert.Equal("prev=first/first-err", Text(updated.Outputs, "stdout"));
        await Provider.DeleteAsync(r.Urn, r.Type, updated.Id, r.Inputs, updated.Outputs, Timeout, Ct);
        Assert.Equal("prev=first/first-err\n", Read("deleted"));
    }

    [Fact]
    public async Task Previous_output_is_left_out_when_addPreviousOutputInEnv_is_false()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "echo first",
            Update = "echo \"prev=${PULUMI_COMMAND_STDOUT-unset}\"",
            AddPreviousOutputInEnv = false,
        }));
        var created = await CreateAsync(r);
        var updated = await Provider.UpdateAsync(r.Urn, r.Type, created.Id, r.Inputs, created.Outputs, r.Inputs, Timeout, Ct);
        Assert.Equal("prev=unset", Text(updated.Outputs, "stdout"));
    }

    [Fact]
    public async Task A_failing_command_reports_its_exit_code_and_stderr_with_secrets_redacted()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "echo progress; echo \"token $TOKEN rejected\" >&2; exit 3",
            Environment = new Dictionary<string, Output<string>> { ["TOKEN"] = Output.CreateSecret("hunter2-token") },
        }));
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(r));
        Assert.Contains("exited with code 3", ex.Message);
        Assert.Contains("token [secret] rejected", ex.Message);
        Assert.DoesNotContain("hunter2-token", ex.Message);
    }

    [Fact]
    public async Task Output_is_secret_when_a_secret_fed_the_command_and_plain_otherwise()
    {
        var secret = Build(() => new LocalCommand("s", new LocalCommandArgs { Create = "cat", Stdin = Output.CreateSecret("classified") }));
        var plain = Build(() => new LocalCommand("p", new LocalCommandArgs { Create = "echo open" }));
        var s = await CreateAsync(secret);
        var p = await CreateAsync(plain);
        Assert.True(PropertyValues.IsSecret(s.Outputs["stdout"]));
        Assert.True(PropertyValues.IsSecret(s.Outputs["stderr"]));
        Assert.Equal("classified", Text(s.Outputs, "stdout"));
        Assert.False(PropertyValues.IsSecret(p.Outputs["stdout"]));
    }

    [Fact]
    public async Task Output_lines_are_reported_as_progress_unless_logging_is_none()
    {
        var loud = Build(() => new LocalCommand("a", new LocalCommandArgs { Create = "echo one; echo two >&2" }));
        var quiet = Build(() => new LocalCommand("b", new LocalCommandArgs { Create = "echo hidden", Logging = CommandLogging.None }));
        var reports = new List<string>();
        using (OperationProgress.Route(reports.Add))
        {
            await CreateAsync(loud);
            await CreateAsync(quiet);
        }
        Assert.Equal(["one", "two"], reports);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_cancelled()
    {
        var r = Build(() => new LocalCommand("cmd", new LocalCommandArgs { Create = "sleep 30" }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Provider.CreateAsync(r.Urn, r.Type, r.Inputs, TimeSpan.FromMilliseconds(200), Ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Preview_runs_nothing_and_up_runs_create()
    {
        var engine = new CommandEngine(Provider);
        void Program(StackContext _) => new LocalCommand("cmd", new LocalCommandArgs { Create = $"touch {PathOf("ran")}" });
        var preview = await engine.PreviewAsync(Program);
        Assert.Contains(preview.Steps, s => s.Op == StepOp.Create && s.Type == CommandTypes.LocalCommand);
        Assert.False(File.Exists(PathOf("ran")));
        var (_, result) = await engine.UpAsync(Program);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        Assert.True(File.Exists(PathOf("ran")));
    }

    [Fact]
    public async Task A_trigger_change_replaces_the_command_creating_before_deleting()
    {
        var engine = new CommandEngine(Provider);
        Action<StackContext> Program(int version) => _ => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = $"echo create-{version} >> {PathOf("log")}",
            Update = $"echo update-{version} >> {PathOf("log")}",
            Delete = $"echo delete-{version} >> {PathOf("log")}",
            Triggers = [version],
        });
        await engine.UpAsync(Program(1));
        var (plan, result) = await engine.UpAsync(Program(2));
        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        var step = Assert.Single(plan.Steps, s => s.Op.IsChange());
        Assert.Equal(StepOp.Replace, step.Op);
        Assert.Contains(step.ReplaceReasons, r => r.StartsWith("triggers", StringComparison.Ordinal));
        Assert.Equal("create-1\ncreate-2\ndelete-1\n", Read("log"));
    }

    [Fact]
    public async Task A_secret_stdout_stays_secret_in_the_saved_checkpoint()
    {
        var engine = new CommandEngine(Provider);
        var (_, result) = await engine.UpAsync(_ => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "echo \"$PASSWORD\"",
            Environment = new Dictionary<string, Output<string>> { ["PASSWORD"] = Output.CreateSecret("s3cret") },
        }));
        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        var saved = engine.Backend.Saves.Last().Resources.Single(r => r.Type == CommandTypes.LocalCommand);
        Assert.True(PropertyValues.IsSecret(saved.Outputs["stdout"]));
        Assert.Equal("s3cret", PropertyValues.Unwrap(saved.Outputs["stdout"])!.GetValue<string>());
        Assert.DoesNotContain("s3cret", engine.Progress);
    }

    [Fact]
    public async Task A_failed_command_fails_the_step_in_the_engine()
    {
        var engine = new CommandEngine(Provider);
        var (_, result) = await engine.UpAsync(_ => new LocalCommand("cmd", new LocalCommandArgs { Create = "echo nope >&2; exit 7" }));
        var failure = Assert.Single(result.Failures);
        Assert.Contains("exited with code 7", failure.Message);
        Assert.Contains("nope", failure.Message);
        Assert.DoesNotContain(engine.Checkpoint.Resources, r => r.Type == CommandTypes.LocalCommand);
    }

    [Fact]
    public async Task Check_names_a_bad_environment_variable_and_accepts_an_agent_connection()
    {
        var local = Build(() => new LocalCommand("cmd", new LocalCommandArgs
        {
            Create = "true",
            Environment = new Dictionary<string, Output<string>> { ["1BAD"] = "x" },
        }));
        var remote = Build(() => new RemoteCommand("r", new RemoteCommandArgs
        {
            Create = "true",
            Connection = new Connection { Host = "example.invalid", AgentSocketPath = "/run/agent.sock" },
        }));
        var localFailures = await Provider.CheckAsync(local.Urn, local.Type, local.Inputs, Ct);
        var remoteFailures = await Provider.CheckAsync(remote.Urn, remote.Type, remote.Inputs, Ct);
        Assert.Equal("environment.1BAD", Assert.Single(localFailures).Property);
        Assert.DoesNotContain(remoteFailures, f => f.Property == "connection");
    }

    [Fact]
    public void The_connection_input_is_secret_and_triggers_replace_on_change()
    {
        var r = Build(() => new RemoteCommand("r", new RemoteCommandArgs
        {
            Create = "true",
            Connection = new Connection { Host = "node-1", Password = "pw" },
        }));
        Assert.True(PropertyValues.IsSecret(r.Inputs["connection"]));
        Assert.Contains("triggers", r.Options.ReplaceOnChanges);
        Assert.Equal("command:remote:Command", r.Type);
        Assert.Equal(22, PropertyValues.Unwrap(r.Inputs["connection"])!["port"]!.GetValue<int>());
        Assert.Equal("root", PropertyValues.Unwrap(r.Inputs["connection"])!["user"]!.GetValue<string>());
    }
}
