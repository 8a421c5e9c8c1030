using System.Diagnostics;
using System.Text;

namespace Llmctl.Providers.Helm;

/// <summary>
/// The real <c>helm</c> (v3 or v4): <c>$LLMCTL_HELM</c> when set, else the first <c>helm</c> on <c>PATH</c>. llmctl
/// never bundles or downloads Helm; without it, charts are not expanded and every verb says so.
/// </summary>
public sealed class HelmBinary
{
    private HelmBinary(string path) => Path = path;

    public string Path { get; }

    /// <summary>What to tell the user when no helm was found.</summary>
    public const string MissingMessage =
        "helm was not found (set LLMCTL_HELM or put helm on PATH): the objects charts create were not rendered, so their images, node selectors, tolerations and ServiceMonitor targets were not checked";

    /// <summary>The helm to use, or null when there is none.</summary>
    public static HelmBinary? Find(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("LLMCTL_HELM") is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? new HelmBinary(System.IO.Path.GetFullPath(explicitPath)) : null;
        }
        foreach (var dir in (environment("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in OperatingSystem.IsWindows() ? new[] { "helm.exe", "helm" } : ["helm"])
            {
                var candidate = System.IO.Path.Combine(dir, name);
                if (File.Exists(candidate)) return new HelmBinary(candidate);
            }
        }
        return null;
    }

    /// <summary>Runs helm with <paramref name="arguments"/>; stdout on success, else a <see cref="HelmException"/> with helm's own message.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // Helm reads no user repositories or kubeconfig for what llmctl asks of it.
        start.Environment["HELM_NO_PLUGINS"] = "1";
        if (environment is not null) foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start) ?? throw new HelmException($"could not start {Path}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new HelmException($"helm {arguments.FirstOrDefault()} failed (exit {process.ExitCode}): {error.Trim()}");
        }
        return output;
    }
}

/// <summary>Helm refused or failed; the message is Helm's own.</summary>
public sealed class HelmException(string message) : Exception(message);
