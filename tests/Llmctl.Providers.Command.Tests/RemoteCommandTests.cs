using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Providers;
using Llmctl.Testing;

namespace Llmctl.Providers.Command.Tests;

/// <summary>Remote commands against the loopback sshd (the "remote" files land in this test's temp folder).</summary>
public class RemoteCommandTests(SshServer server) : CommandTestBase
{
    private Connection Pinned => server.Connection(PathOf("known_hosts"));

    [Fact]
    public async Task Create_update_and_delete_run_over_ssh()
    {
        server.Require();
        var r = Build(() => new RemoteCommand("cmd", new RemoteCommandArgs
        {
            Connection = Pinned,
            Create = $"echo created >> {PathOf("log")}; echo out-create",
            Update = $"echo \"updated after $PULUMI_COMMAND_STDOUT\" >> {PathOf("log")}; echo out-update",
            Delete = $"echo \"deleted after $PULUMI_COMMAND_STDOUT\" >> {PathOf("log")}",
        }));
        var created = await CreateAsync(r);
        Assert.Equal("out-create", Text(created.Outputs, "stdout"));
        var updated = await Provider.UpdateAsync(r.Urn, r.Type, created.Id, r.Inputs, created.Outputs, r.Inputs, Timeout, Ct);
        Assert.Equal("out-update", Text(updated.Outputs, "stdout"));
        await Provider.DeleteAsync(r.Urn, r.Type, updated.Id, r.Inputs, updated.Outputs, Timeout, Ct);
        Assert.Equal("created\nupdated after out-create\ndeleted after out-update\n", Read("log"));
    }

    [Fact]
    public async Task Stdin_and_environment_reach_the_remote_command_quoted_safely()
    {
        server.Require();
        var r = Build(() => new RemoteCommand("cmd", new RemoteCommandArgs
        {
            Connection = Pinned,
            Create = "cat; printf '|%s|%s' \"$ODD\" \"$PLAIN\"",
            Stdin = "line one\nline two\n",
            Environment = new Dictionary<string, Output<string>>
            {
                ["ODD"] = "it's; $(rm -rf /nope) `x` \"q\"",
                ["PLAIN"] = "v",
            },
        }));
        var created = await CreateAsync(r);
        Assert.Equal("line one\nline two\n|it's; $(rm -rf /nope) `x` \"q\"|v", Text(created.Outputs, "stdout"));
    }

    [Fact]
    public async Task A_remote_failure_reports_its_exit_code_and_stderr()
    {
        server.Require();
        var r = Build(() => new RemoteCommand("cmd", new RemoteCommandArgs
        {
            Connection = Pinned,
            Create = "echo 'apt: package not found' >&2; exit 42",
        }));
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(r));
        Assert.Contains("exited with code 42", ex.Message);
        Assert.Contains("apt: package not found", ex.Message);
    }

    [Fact]
    public async Task A_trigger_change_replaces_through_the_engine_running_the_new_create_then_the_old_delete()
    {
        server.Require();
        var engine = new CommandEngine(Provider);
        Action<StackContext> Program(string version) => _ => new RemoteCommand("bootstrap", new RemoteCommandArgs
        {
            Connection = Pinned,
            Create = $"echo create-$V >> {PathOf("log")}; echo v$V",
            Delete = $"echo delete-$V-after-$PULUMI_COMMAND_STDOUT >> {PathOf("log")}",
            Environment = new Dictionary<string, Output<string>> { ["V"] = version },
            Triggers = [version],
        });
        var (_, first) = await engine.UpAsync(Program("1"));
        Assert.True(first.Succeeded, string.Join("; ", first.Failures.Select(f => f.Message)));
        var (plan, second) = await engine.UpAsync(Program("2"));
        Assert.True(second.Succeeded, string.Join("; ", second.Failures.Select(f => f.Message)));
        Assert.Equal(StepOp.Replace, Assert.Single(plan.Steps, s => s.Op.IsChange()).Op);
        Assert.Equal("v2", PropertyValues.Unwrap(engine.Single(CommandTypes.RemoteCommand).Outputs["stdout"])!.GetValue<string>());

        await engine.DestroyAsync();
        Assert.Equal("create-1\ncreate-2\ndelete-1-after-v1\ndelete-2-after-v2\n", Read("log"));
    }

    [Fact]
    public async Task A_secret_fed_remote_stdout_stays_secret_in_the_checkpoint()
    {
        server.Require();
        var engine = new CommandEngine(Provider);
        var (_, result) = await engine.UpAsync(_ => new RemoteCommand("cmd", new RemoteCommandArgs
        {
            Connection = Pinned,
            Create = "cat",
            Stdin = Output.CreateSecret("join-token-123"),
        }));
        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        var saved = engine.Backend.Saves.Last().Resources.Single(r => r.Type == CommandTypes.RemoteCommand);
        Assert.True(PropertyValues.IsSecret(saved.Outputs["stdout"]));
        Assert.True(PropertyValues.IsSecret(saved.Outputs["connection"]));
        Assert.Equal("join-token-123", PropertyValues.Unwrap(saved.Outputs["stdout"])!.GetValue<string>());
        Assert.DoesNotContain(engine.Progress, p => p.Contains("join-token-123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CopyToRemote_uploads_a_file_and_a_directory_tree()
    {
        server.Require();
        File.WriteAllText(PathOf("unit.conf"), "a=1\n");
        Directory.CreateDirectory(PathOf("bundle/sub"));
        File.WriteAllText(PathOf("bundle/top.txt"), "top");
        File.WriteAllText(PathOf("bundle/sub/deep.txt"), "deep");
        var file = Build(() => new CopyToRemote("file", new CopyToRemoteArgs { Connection = Pinned, Source = PathOf("unit.conf"), RemotePath = PathOf("remote.conf") }));
        var dir = Build(() => new CopyToRemote("dir", new CopyToRemoteArgs { Connection = Pinned, Source = PathOf("bundle"), RemotePath = PathOf("remote/bundle") }));
        await CreateAsync(file);
        await CreateAsync(dir);
        Assert.Equal("a=1\n", Read("remote.conf"));
        Assert.Equal("top", Read("remote/bundle/top.txt"));
        Assert.Equal("deep", Read("remote/bundle/sub/deep.txt"));
    }

    [Fact]
    public async Task CopyToRemote_is_replaced_when_the_source_content_changes()
    {
        server.Require();
        var engine = new CommandEngine(Provider);
        File.WriteAllText(PathOf("unit.conf"), "v1");
        void Program(StackContext _) => new CopyToRemote("copy", new CopyToRemoteArgs { Connection = Pinned, Source = PathOf("unit.conf"), RemotePath = PathOf("remote.conf") });
        var (_, first) = await engine.UpAsync(Program);
        Assert.True(first.Succeeded, string.Join("; ", first.Failures.Select(f => f.Message)));
        Assert.False((await engine.PreviewAsync(Program)).HasChanges);

        File.WriteAllText(PathOf("unit.conf"), "v2");
        var (plan, second) = await engine.UpAsync(Program);
        Assert.True(second.Succeeded, string.Join("; ", second.Failures.Select(f => f.Message)));
        var step = Assert.Single(plan.Steps, s => s.Op.IsChange());
        Assert.Equal(StepOp.Replace, step.Op);
        Assert.Contains("sourceHash", step.ReplaceReasons);
        Assert.Equal("v2", Read("remote.conf"));
    }
}
