using System.Diagnostics;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;
using Llmctl.Testing;

namespace Llmctl.Providers.Command.Tests;

/// <summary>
/// Signing in with a key held by a real <c>ssh-agent</c> (OpenSSH's, started by the test on a private socket), the
/// private key never given to llmctl.
/// </summary>
public class SshAgentTests(SshServer server) : CommandTestBase
{
    [Fact]
    public async Task A_key_held_by_ssh_agent_signs_in_without_the_private_key_in_the_inputs()
    {
        server.Require();
        if (!File.Exists("/usr/bin/ssh-agent") || !File.Exists("/usr/bin/ssh-add")) Assert.Skip("ssh-agent/ssh-add are not installed (openssh-client)");
        var socket = PathOf("agent.sock");
        using var agent = Process.Start(new ProcessStartInfo("/usr/bin/ssh-agent", ["-D", "-a", socket]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            for (var i = 0; i < 100 && !File.Exists(socket); i++) await Task.Delay(20, Ct);
            var keyFile = PathOf("agent_key");
            await File.WriteAllTextAsync(keyFile, server.PrivateKey, Ct);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var add = Process.Start(new ProcessStartInfo("/usr/bin/ssh-add", [keyFile]) { Environment = { ["SSH_AUTH_SOCK"] = socket }, RedirectStandardError = true })!;
            await add.WaitForExitAsync(Ct);
            Assert.Equal(0, add.ExitCode);

            var connection = server.Connection(PathOf("known_hosts")) with { PrivateKey = null, AgentSocketPath = socket };
            var r = Build(() => new RemoteCommand("cmd", new RemoteCommandArgs { Connection = connection, Create = "echo via-agent" }));
            Assert.DoesNotContain("PRIVATE KEY", r.Inputs.ToJsonString());
            var created = await CreateAsync(r);
            Assert.Equal("via-agent", Text(created.Outputs, "stdout"));
        }
        finally
        {
            agent.Kill();
        }
    }

    [Fact]
    public async Task An_unreachable_agent_is_a_clear_error()
    {
        server.Require();
        var connection = server.Connection(PathOf("known_hosts")) with { PrivateKey = null, AgentSocketPath = PathOf("no-agent.sock") };
        var r = Build(() => new RemoteCommand("cmd", new RemoteCommandArgs { Connection = connection, Create = "true" }));
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(r));
        Assert.Contains("cannot reach the SSH agent at", ex.Message);
    }
}
