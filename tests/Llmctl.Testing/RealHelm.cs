using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Llmctl.Testing;

/// <summary>
/// The real <c>helm</c> for tests: <c>$LLMCTL_HELM</c>, else <c>helm</c> on <c>PATH</c> (.ci/run installs v4.1.4).
/// <see cref="Require"/> reports the test as skipped, with the reason, when there is none.
/// </summary>
public static class RealHelm
{
    private static readonly Lazy<string?> Found = new(() =>
    {
        if (Environment.GetEnvironmentVariable("LLMCTL_HELM") is { Length: > 0 } explicitPath && File.Exists(explicitPath)) return explicitPath;
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "helm")).FirstOrDefault(File.Exists);
    });

    public static string Require()
    {
        if (Found.Value is null) Assert.Skip("helm is not installed (.ci/run installs v4.1.4; or set LLMCTL_HELM): the chart was not rendered");
        return Found.Value!;
    }

    /// <summary>The directory of an upstream chart's full sources (<c>../shared/upstream/charts-src/&lt;dir&gt;</c>).</summary>
    public static string ChartSource(string dir) => SharedFiles.RequirePath("upstream", "charts-src", dir);

    /// <summary>Runs helm; stdout on success, else the test fails with helm's message.</summary>
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Require()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"helm {string.Join(' ', args)} failed: {stderr}");
        return stdout.Result;
    }
}

/// <summary>A chart to serve: its directory under charts-src, the version to package it as, and (optionally) the app version.</summary>
public sealed record ChartPackage(string SourceDir, string Version, string? AppVersion = null);

/// <summary>
/// A classic Helm chart repository on 127.0.0.1: the upstream chart sources packaged with the real <c>helm package</c>
/// into a temp folder, indexed with <c>helm repo index</c>, and served over HTTP until disposed.
/// </summary>
public sealed class LocalChartRepository : IDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private LocalChartRepository(string folder, int port)
    {
        Folder = folder;
        Url = $"http://127.0.0.1:{port}/";
        _listener = new HttpListener();
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Folder { get; }
    public string Url { get; }
    /// <summary>How many requests were served (a test can tell the cache from the network).</summary>
    public int Requests { get; private set; }

    /// <summary>Packages <paramref name="charts"/> and serves them; skips the test when helm or ../shared is absent.</summary>
    public static LocalChartRepository Start(IEnumerable<ChartPackage> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var folder = Directory.CreateTempSubdirectory("llmctl-chart-repo-").FullName;
        foreach (var chart in charts)
        {
            var args = new List<string> { "package", RealHelm.ChartSource(chart.SourceDir), "--version", chart.Version, "--destination", folder };
            if (chart.AppVersion is { } app) args.AddRange(["--app-version", app]);
            RealHelm.Run([.. args]);
        }
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        RealHelm.Run("repo", "index", folder, "--url", $"http://127.0.0.1:{port}/");
        return new LocalChartRepository(folder, port);
    }

    public string PackagePath(string name, string version) => Path.Combine(Folder, $"{name}-{version}.tgz");

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Requests++;
            var name = Path.GetFileName(context.Request.Url?.AbsolutePath ?? "");
            var file = Path.Combine(Folder, name);
            if (name.Length > 0 && File.Exists(file))
            {
                var bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _listener.Close();
        try { _serving.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
