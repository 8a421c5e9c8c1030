using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Llmctl.Infra.Tests;

/// <summary>
/// The real Prometheus server (Debian's <c>prometheus</c> package; .ci/run installs it with promtool) on 127.0.0.1,
/// scraping every second a <c>/metrics</c> endpoint this class serves with the lines given, shaped like the DCGM
/// exporter's. <see cref="StartAsync"/> returns once Prometheus answers a query with the scraped series, and reports the
/// test skipped, with the reason, when the binary is absent. Dispose stops the server and the endpoint.
/// </summary>
internal sealed class RealPrometheus : IDisposable
{
    private readonly HttpListener _metrics = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("llmctl-prom-").FullName;
    private Process? _process;
    private readonly StringBuilder _log = new();

    private RealPrometheus(string exposition)
    {
        MetricsPort = FreePort();
        _metrics.Prefixes.Add($"http://127.0.0.1:{MetricsPort}/");
        _metrics.Start();
        _ = Task.Run(async () =>
        {
            while (_metrics.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _metrics.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                var body = Encoding.UTF8.GetBytes(exposition);
                context.Response.ContentType = "text/plain; version=0.0.4";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
    }

    public int MetricsPort { get; }
    public Uri Url { get; private set; } = null!;

    public static async Task<RealPrometheus> StartAsync(string exposition, string waitForMetric, CancellationToken ct)
    {
        var binary = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);
        if (binary is null) Assert.Skip("prometheus is not installed (.ci/run installs Debian's prometheus package): DCGM's framebuffer was not read from a real server");
        var server = new RealPrometheus(exposition);
        try
        {
            await server.RunAsync(binary!, waitForMetric, ct);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private async Task RunAsync(string binary, string metric, CancellationToken ct)
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}");
        var config = Path.Combine(_directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: dcgm-exporter
                static_configs:
                  - targets: ["127.0.0.1:{MetricsPort}"]
            """, ct);
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_directory, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            psi.ArgumentList.Add(arg);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120); // generous: the machine is shared
        while (DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited) break;
            try
            {
                var body = await http.GetStringAsync(new Uri(Url, $"/api/v1/query?query={metric}"), ct);
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() > 0) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                // not up yet, or not scraped yet
            }
            await Task.Delay(250, ct);
        }
        string log;
        lock (_log) log = _log.ToString();
        throw new InvalidOperationException($"Prometheus did not serve {metric} within 120 s (exited: {_process.HasExited}). Its log:\n{log}");
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process?.Dispose();
        _metrics.Close();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Prometheus may still be closing its data files; the temp folder is left for the OS.
        }
    }
}
