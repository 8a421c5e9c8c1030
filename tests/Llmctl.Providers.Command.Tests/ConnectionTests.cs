using System.Diagnostics;
using Llmctl.Engine.Model;
using Llmctl.Engine.Providers;
using Llmctl.Testing;

namespace Llmctl.Providers.Command.Tests;

/// <summary>Host key verification and dialing, against the loopback sshd.</summary>
public class ConnectionTests(SshServer server) : CommandTestBase
{
    private RemoteCommand Echo(Connection connection) =>
        Build(() => new RemoteCommand("cmd", new RemoteCommandArgs { Connection = connection, Create = "echo hello" }));

    [Fact]
    public async Task A_pinned_fingerprint_or_public_key_line_is_accepted()
    {
        server.Require();
        var byFingerprint = await CreateAsync(Echo(server.Connection(PathOf("known_hosts"))));
        var byKeyLine = await CreateAsync(Echo(server.Connection(PathOf("known_hosts")) with { HostKey = server.HostKeyLine + " root@host" }));
        Assert.Equal("hello", Text(byFingerprint.Outputs, "stdout"));
        Assert.Equal("hello", Text(byKeyLine.Outputs, "stdout"));
    }

    [Fact]
    public async Task A_host_key_mismatch_is_refused_with_the_presented_fingerprint()
    {
        server.Require();
        var wrong = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');
        var connection = server.Connection(PathOf("known_hosts")) with { HostKey = wrong, TrustOnFirstUse = true };
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(Echo(connection)));
        Assert.Contains("host key verification failed", ex.Message);
        Assert.Contains(server.HostFingerprint, ex.Message);
        Assert.Contains(wrong, ex.Message);
        Assert.Contains("connection.hostKey", ex.Message);
    }

    [Fact]
    public async Task An_unknown_host_is_refused_without_trust_on_first_use_and_says_how_to_pin_it()
    {
        server.Require();
        var connection = server.Connection(PathOf("known_hosts"), pinHostKey: false);
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(Echo(connection)));
        Assert.Contains("is not known", ex.Message);
        Assert.Contains($"connection.hostKey = \"{server.HostFingerprint}\"", ex.Message);
        Assert.Contains("trustOnFirstUse", ex.Message);
        Assert.False(File.Exists(PathOf("known_hosts")));
    }

    [Fact]
    public async Task Trust_on_first_use_records_the_key_which_then_verifies_later_connections()
    {
        server.Require();
        var reports = new List<string>();
        using (OperationProgress.Route(reports.Add))
        {
            await CreateAsync(Echo(server.Connection(PathOf("known_hosts"), pinHostKey: false, trustOnFirstUse: true)));
        }
        Assert.Contains(reports, r => r.Contains("trust on first use", StringComparison.Ordinal) && r.Contains(server.HostFingerprint, StringComparison.Ordinal));
        Assert.Equal($"[127.0.0.1]:{server.Port} {server.HostKeyLine}\n", Read("known_hosts"));

        var later = await CreateAsync(Echo(server.Connection(PathOf("known_hosts"), pinHostKey: false)));
        Assert.Equal("hello", Text(later.Outputs, "stdout"));
    }

    [Fact]
    public async Task A_hashed_known_hosts_entry_written_by_ssh_keygen_is_honoured()
    {
        server.Require();
        File.WriteAllText(PathOf("known_hosts"), $"[127.0.0.1]:{server.Port} {server.HostKeyLine}\n");
        using (var keygen = Process.Start("ssh-keygen", ["-H", "-f", PathOf("known_hosts")]))
        {
            await keygen.WaitForExitAsync(Ct);
            Assert.Equal(0, keygen.ExitCode);
        }
        Assert.StartsWith("|1|", Read("known_hosts"));
        var created = await CreateAsync(Echo(server.Connection(PathOf("known_hosts"), pinHostKey: false)));
        Assert.Equal("hello", Text(created.Outputs, "stdout"));
    }

    [Fact]
    public async Task A_changed_key_in_known_hosts_is_refused_even_with_trust_on_first_use()
    {
        server.Require();
        var other = "AAAAC3NzaC1lZDI1NTE5AAAAI" + new string('A', 43);
        File.WriteAllText(PathOf("known_hosts"), $"# pinned earlier\n[127.0.0.1]:{server.Port} ssh-ed25519 {other}\n");
        var connection = server.Connection(PathOf("known_hosts"), pinHostKey: false, trustOnFirstUse: true);
        var ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(Echo(connection)));
        Assert.Contains("differs from the key recorded", ex.Message);
        Assert.Contains(server.HostFingerprint, ex.Message);
    }

    [Fact]
    public async Task Dialing_a_closed_port_retries_up_to_the_limit_then_fails_clearly()
    {
        var port = SshServer.FreePort();
        var connection = new Connection
        {
            Host = "127.0.0.1",
            Port = port,
            Password = Output.CreateSecret("unused"),
            HostKey = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('='),
            DialErrorLimit = 3,
            PerDialTimeout = 5,
        };
        var reports = new List<string>();
        ProviderException ex;
        using (OperationProgress.Route(reports.Add))
        {
            ex = await Assert.ThrowsAsync<ProviderException>(() => CreateAsync(Echo(connection)));
        }
        Assert.Contains($"could not connect to root@127.0.0.1:{port} after 3 attempts", ex.Message);
        Assert.Contains("ConnectionRefused", ex.Message);
        Assert.Equal(2, reports.Count(r => r.Contains("retrying", StringComparison.Ordinal)));
    }
}
