using System.Diagnostics;
using System.Text;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>A failed run says so with the right exit code; state and lock trouble is reported plainly.</summary>
public class FailureVerbTests
{
    [Fact]
    public async Task Up_against_a_server_answering_html_exits_4_naming_the_problem_and_creates_nothing()
    {
        await using var html = new HtmlLoginPageServer();
        using var cli = new CliHarness { RealProviders = true };
        var kubeconfig = Path.Combine(cli.Directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, html.Kubeconfig("homelab"), TestContext.Current.CancellationToken);
        cli.EditStackFile("  kubernetes:context: homelab\n", $"  kubernetes:context: homelab\n  kubernetes:kubeconfig: {kubeconfig}\n");

        var code = await cli.RunAsync("up", "--yes", "-s", "homelab");

        Assert.Equal(ExitCodes.ResourceError, code);
        Assert.Contains("not a Kubernetes API server", cli.Err);
        Assert.Contains("skipped:", cli.Err);
        Assert.DoesNotContain("internal error", cli.Err);
        // No Kubernetes object is recorded as existing (only the default provider resource, which is configuration, has an id).
        var resources = cli.Checkpoint()["checkpoint"]!["latest"]!["resources"]!.AsArray();
        Assert.All(resources.Where(r => r!["type"]!.GetValue<string>().StartsWith("kubernetes:", StringComparison.Ordinal)), r => Assert.Null(r!["id"]));
    }

    [Fact]
    public async Task A_bad_request_timeout_is_a_configuration_error()
    {
        using var cli = new CliHarness { RealProviders = true };
        cli.EditStackFile("  kubernetes:context: homelab\n", "  kubernetes:context: homelab\n  kubernetes:requestTimeout: soon\n");

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Contains("kubernetes:requestTimeout: 'soon' is not a duration", cli.Err);
    }

    [Fact]
    public async Task Stack_unlock_refuses_a_lock_whose_holder_runs_on_this_host_unless_forced()
    {
        using var cli = new CliHarness();
        using var holder = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var path = WriteLock(cli, holder.Id, DateTimeOffset.UtcNow.AddSeconds(5));

            Assert.Equal(ExitCodes.Error, await cli.RunAsync("stack", "unlock", "-s", "homelab"));
            Assert.Contains("still running on this host", cli.Err);
            Assert.Contains("--force", cli.Err);
            Assert.True(File.Exists(path));

            Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "unlock", "--force", "-s", "homelab"));
            Assert.Contains($"pid {holder.Id}", cli.Out);
            Assert.False(File.Exists(path));
        }
        finally
        {
            holder.Kill();
        }
    }

    [Fact]
    public async Task Up_takes_over_a_lock_left_by_a_dead_process_with_a_warning_naming_it()
    {
        using var cli = new CliHarness();
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(TestContext.Current.CancellationToken);
        WriteLock(cli, gone.Id, DateTimeOffset.UtcNow.AddMinutes(-1));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));

        Assert.Contains($"took over the lock of stack 'homelab' left by ci@{Environment.MachineName} (pid {gone.Id}, running 'up'", cli.Err);
        Assert.False(File.Exists(new FileBackend(cli.StateRoot).LockPath("llm-platform", "homelab")));
    }

    [Fact]
    public async Task Up_stops_when_the_checkpoint_is_empty_but_its_backup_is_not_and_leaves_the_backup()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        cli.EditStackFile("parallel: 1", "parallel: 2");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var backup = File.ReadAllBytes(cli.CheckpointPath + ".bak");
        File.WriteAllText(cli.CheckpointPath, """{"version": 3, "checkpoint": {"stack": "homelab", "latest": {"manifest": {"time": "2026-03-01T09:00:00Z", "magic": "", "version": ""}}}}""");

        Assert.Equal(ExitCodes.Error, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Contains(cli.CheckpointPath + " holds no resources", cli.Err);
        Assert.Contains($"cp '{cli.CheckpointPath}.bak' '{cli.CheckpointPath}'", cli.Err);
        Assert.Equal(backup, File.ReadAllBytes(cli.CheckpointPath + ".bak"));

        File.Delete(cli.CheckpointPath);
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("preview", "-s", "homelab"));
        Assert.Contains(cli.CheckpointPath + " is missing", cli.Err);
        Assert.Equal(backup, File.ReadAllBytes(cli.CheckpointPath + ".bak"));
    }

    [Fact]
    public async Task Destroy_then_up_works_without_tripping_over_the_backup()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("destroy", "--yes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
    }

    [Fact]
    public async Task A_checkpoint_that_cannot_be_written_exits_1_with_a_plain_message()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("up", "--yes", "-s", "homelab"));
        var before = File.ReadAllBytes(cli.CheckpointPath);
        File.Delete(cli.CheckpointPath + ".bak");
        Directory.CreateDirectory(cli.CheckpointPath + ".bak");
        File.WriteAllText(Path.Combine(cli.CheckpointPath + ".bak", "in-the-way"), "x");
        cli.EditStackFile("parallel: 1", "parallel: 2");

        var code = await cli.RunAsync("up", "--yes", "-s", "homelab");

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains($"error: cannot write the checkpoint {cli.CheckpointPath}", cli.Err);
        Assert.DoesNotContain("internal error", cli.Err);
        Assert.Equal(before, File.ReadAllBytes(cli.CheckpointPath));
    }

    private static string WriteLock(CliHarness cli, int pid, DateTimeOffset since)
    {
        var path = new FileBackend(cli.StateRoot).LockPath("llm-platform", "homelab");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""{"user": "ci", "host": "{{Environment.MachineName}}", "pid": {{pid}}, "operation": "up", "since": "{{since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}"}""", Encoding.UTF8);
        return path;
    }
}
