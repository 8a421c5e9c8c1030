using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Llmctl.Engine.Model;
using Llmctl.Components.Command;
using Xunit;

namespace Llmctl.Testing;

/// <summary>
/// A real OpenSSH server on 127.0.0.1 with a throwaway host key and a throwaway user key, running as the current
/// user (root in CI: <c>PermitRootLogin prohibit-password</c>) from a temp folder, stopped after the run. Shared by
/// the command provider's tests and the fleet end-to-end test (two of them stand in for two nodes). When
/// <c>/usr/sbin/sshd</c> is absent the tests that need it are skipped (CI installs it with .ci/run (bash .ci/apt-install.sh /usr/sbin/sshd openssh-server …)).
/// </summary>
public sealed class SshServer : IAsyncLifetime
{
    /// <summary><c>/usr/sbin/sshd</c>, or <c>LLMCTL_SSHD</c> when set (point it at a missing path to see the skips).</summary>
    public static readonly string SshdPath = Environment.GetEnvironmentVariable("LLMCTL_SSHD") is { Length: > 0 } p ? p : "/usr/sbin/sshd";
    private Process? _process;
    private readonly StringBuilder _log = new();
    private string? _unavailable;

    public string Dir { get; } = Directory.CreateTempSubdirectory("llmctl-sshd-").FullName;
    public int Port { get; private set; }
    public string User { get; } = Environment.UserName;
    /// <summary>The user's private key, as a connection's <c>privateKey</c> takes it (contents, not a path).</summary>
    public string PrivateKey { get; private set; } = "";
    /// <summary>The host's public key line, <c>ssh-ed25519 AAAA…</c>.</summary>
    public string HostKeyLine { get; private set; } = "";
    public string HostFingerprint { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(SshdPath))
        {
            _unavailable = $"{SshdPath} is not installed (CI installs it with .ci/run (bash .ci/apt-install.sh /usr/sbin/sshd openssh-server …))";
            return;
        }
        try
        {
            await StartAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // sshd is installed, so a failure to start it is a real failure, not a reason to skip.
            throw new InvalidOperationException($"could not start sshd: {ex.Message}\n{_log}", ex);
        }
    }

    /// <summary>Skips the calling test when sshd is not installed.</summary>
    public void Require()
    {
        if (_unavailable is not null) Assert.Skip(_unavailable);
    }

    /// <summary>A connection to this server; the host key is pinned unless asked otherwise.</summary>
    public Connection Connection(string knownHosts, bool pinHostKey = true, bool trustOnFirstUse = false) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        User = User,
        PrivateKey = Output.CreateSecret(PrivateKey),
        HostKey = pinHostKey ? Output.Create(HostFingerprint) : null,
        KnownHostsPath = knownHosts,
        TrustOnFirstUse = trustOnFirstUse,
        DialErrorLimit = 3,
        PerDialTimeout = 10,
    };

    private async Task StartAsync()
    {
        await KeygenAsync(Path.Combine(Dir, "host_ed25519"));
        await KeygenAsync(Path.Combine(Dir, "id_ed25519"));
        PrivateKey = await File.ReadAllTextAsync(Path.Combine(Dir, "id_ed25519"));
        File.Copy(Path.Combine(Dir, "id_ed25519.pub"), Path.Combine(Dir, "authorized_keys"));
        var hostPub = (await File.ReadAllTextAsync(Path.Combine(Dir, "host_ed25519.pub"))).Split(' ');
        HostKeyLine = $"{hostPub[0]} {hostPub[1]}";
        HostFingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(hostPub[1]))).TrimEnd('=');

        // Running as root, sshd wants its privilege separation directory even in debug mode.
        if (Environment.UserName == "root" && !Directory.Exists("/run/sshd")) Directory.CreateDirectory("/run/sshd");

        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = FreePort();
            var config = Path.Combine(Dir, "sshd_config");
            await File.WriteAllTextAsync(config, $"""
                ListenAddress 127.0.0.1
                Port {Port}
                HostKey {Dir}/host_ed25519
                PidFile {Dir}/sshd.pid
                AuthorizedKeysFile {Dir}/authorized_keys
                StrictModes no
                UsePAM no
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                Subsystem sftp internal-sftp
                LogLevel ERROR

                """);
            var start = new ProcessStartInfo(SshdPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-D", "-e", "-f", config, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
            _process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start");
            _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
            if (await WaitForBannerAsync()) return;
            Stop();
        }
        throw new InvalidOperationException("sshd did not answer on loopback");
    }

    private async Task<bool> WaitForBannerAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && _process is { HasExited: false })
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                var buffer = new byte[64];
                var read = await tcp.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("SSH-2.0", StringComparison.Ordinal)) return true;
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task KeygenAsync(string path)
    {
        var start = new ProcessStartInfo("ssh-keygen") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-q", "-t", "ed25519", "-N", "", "-C", "llmctl-test", "-f", path }) start.ArgumentList.Add(arg);
        using var p = Process.Start(start)!;
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen failed: {await p.StandardError.ReadToEndAsync()}");
    }

    private void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
