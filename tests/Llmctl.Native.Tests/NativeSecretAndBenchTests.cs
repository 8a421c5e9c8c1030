using System.Text.RegularExpressions;
using System.Xml.Linq;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Native.Tests;

/// <summary>
/// The native binary encrypts and decrypts stack secrets compatibly with the JIT build and never prints them
/// otherwise, and a bench run against the in-test chat server writes its tables and charts.
/// </summary>
public sealed class NativeSecretAndBenchTests
{
    [Fact]
    public async Task A_secret_set_by_either_build_is_read_back_by_the_other_and_never_printed_otherwise()
    {
        using var workspace = new Workspace();
        const string Native = "native-secret-7f3a";
        const string Jit = "jit-secret-91c2";
        var env = new Dictionary<string, string> { ["PULUMI_CONFIG_PASSPHRASE"] = "smoke passphrase" };

        var set = await Builds.RunAsync(Build.Native, workspace, ["config", "set", "--secret", "llmctl:nativeToken", Native, "-s", "homelab"], env);
        var setJit = await Builds.RunAsync(Build.Jit, workspace, ["config", "set", "--secret", "llmctl:jitToken", Jit, "-s", "homelab"], env);

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.True(setJit.ExitCode == 0, setJit.ToString());
        Assert.DoesNotContain(Native, set.Out + set.Err, StringComparison.Ordinal);
        var file = File.ReadAllText(workspace.PathOf("Pulumi.homelab.yaml"));
        Assert.DoesNotContain(Native, file, StringComparison.Ordinal);
        Assert.DoesNotContain(Jit, file, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^  llmctl:nativeToken:\n    secure: v1:", RegexOptions.Multiline), file.ReplaceLineEndings("\n"));
        Assert.Contains("encryptionsalt: v1:", file, StringComparison.Ordinal);

        // Each build decrypts what the other wrote; config get of a secret prints its value, as Pulumi's does.
        foreach (var (key, value) in new[] { ("llmctl:nativeToken", Native), ("llmctl:jitToken", Jit) })
        {
            var (jit, native) = await Builds.BothAsync(workspace, ["config", "get", key, "-s", "homelab"], env);
            Assert.True(native.ExitCode == 0, native.ToString());
            Assert.Equal(value, native.Out.Trim());
            Builds.AssertSame(jit, native, $"llmctl config get {key}");
        }

        // Listed, previewed and rendered, the secrets stay secret.
        foreach (var args in new[] { new[] { "config", "-s", "homelab" }, ["config", "--json", "-s", "homelab"], ["preview", "-s", "homelab"] })
        {
            var (jit, native) = await Builds.BothAsync(workspace, args, env);
            Assert.DoesNotContain(Native, native.Out + native.Err, StringComparison.Ordinal);
            Assert.DoesNotContain(Jit, native.Out + native.Err, StringComparison.Ordinal);
            Builds.AssertSame(jit, native, $"llmctl {string.Join(' ', args)}");
        }

        // Without the passphrase, both refuse alike.
        var (jitNoPass, nativeNoPass) = await Builds.BothAsync(workspace, ["config", "get", "llmctl:nativeToken", "-s", "homelab"]);
        Assert.Equal(ExitCodes.ConfigOrUsage, nativeNoPass.ExitCode);
        Builds.AssertSame(jitNoPass, nativeNoPass, "llmctl config get without a passphrase");
    }

    [Fact]
    public async Task A_bench_run_writes_its_tables_and_well_formed_charts()
    {
        using var workspace = new Workspace();
        using var server = new FakeChatServer { CompletionTokens = 8 };
        string[] args = ["bench", "-s", "homelab", "--url", $"http://127.0.0.1:{server.Port}", "--context", "256,1k", "--concurrency", "1,2",
            "--requests", "1", "--out", "results", "--prometheus", "none"];

        var native = await Builds.RunAsync(Build.Native, workspace, args);

        Assert.True(native.ExitCode == 0, native.ToString());
        var files = Directory.GetFiles(workspace.PathOf("results")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["bench.json", "requests.csv", "scenarios.csv", "ttft-tokens-vs-concurrency.svg", "ttft-tokens-vs-context.svg"], files);
        foreach (var chart in files.Where(f => f!.EndsWith(".svg", StringComparison.Ordinal)))
        {
            var svg = XDocument.Load(workspace.PathOf("results", chart!));
            Assert.Equal(2, svg.Descendants().Count(e => (string?)e.Attribute("class") == "series"));
        }
    }
}
