using System.Text.RegularExpressions;
using Llmctl.Engine.Model;
using Llmctl.Providers.Helm;

namespace Llmctl.Infra.Cli;

/// <summary>
/// Helm in the loop for the verbs: finds helm, the chart cache and <c>charts.lock.yaml</c>, and expands every
/// HelmChart of the composed stack into its rendered objects before the policies run.
/// </summary>
internal static partial class ChartSetup
{
    public static HelmBinary? Helm(CliContext cli) => HelmBinary.Find(cli.Environment);

    public static ChartCache Cache(CliContext cli) => ChartCache.Default(cli.Environment);

    public static string LockPath(StackWorkspace ws) => Path.Combine(ws.Loaded.ProjectDirectory, ChartLockFile.DefaultFileName);

    /// <summary>The project's chart lock; an empty one when there is none. A malformed file is a config error.</summary>
    public static ChartLockFile LoadLock(StackWorkspace ws)
    {
        var path = LockPath(ws);
        if (!File.Exists(path)) return new ChartLockFile([]);
        try
        {
            return ChartLockFile.Load(path);
        }
        catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException)
        {
            throw new CliException(ExitCodes.ConfigOrUsage, ex.Message);
        }
    }

    /// <summary>
    /// The Kubernetes version helm renders for: the stack's k3s version (<c>v1.35.5+k3s1</c> → <c>v1.35.5</c>), else
    /// <c>$LLMCTL_KUBE_VERSION</c>, else Helm's own default.
    /// </summary>
    public static string? KubeVersion(StackWorkspace ws)
    {
        var k3s = ws.BindConfig().K3s?.Version;
        if (k3s is not null && KubeVersionPattern().Match(k3s) is { Success: true } m) return m.Groups[1].Value;
        return ws.Cli.Environment("LLMCTL_KUBE_VERSION");
    }

    /// <summary>Expands the stack's charts and warns once when helm is missing.</summary>
    public static async Task<ExpansionReport> ExpandAsync(StackWorkspace ws, StackContext desired, CancellationToken cancellationToken)
    {
        var helm = Helm(ws.Cli);
        var expander = new ChartExpander(helm, Cache(ws.Cli), LoadLock(ws)) { KubeVersion = KubeVersion(ws) };
        var report = await expander.ExpandAsync(desired, cancellationToken).ConfigureAwait(false);
        if (report.HelmMissing && desired.Resources.Any(r => r.Type == ChartExpander.HelmChartType))
        {
            ws.Cli.Err.WriteLine($"warning: {HelmBinary.MissingMessage}");
        }
        return report;
    }

    [GeneratedRegex(@"^(v\d+\.\d+\.\d+)")]
    private static partial Regex KubeVersionPattern();
}
