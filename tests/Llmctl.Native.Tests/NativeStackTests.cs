using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Native.Tests;

/// <summary>
/// The native binary reads, previews and renders the sample stacks, and refuses the bad-input corpus, exactly as the
/// JIT build does: the same exit code, standard output and standard error, and the same rendered files.
/// </summary>
public sealed class NativeStackTests
{
    public static TheoryData<string, string> Previews => new()
    {
        { "homelab", "" },
        { "fleet", "" },
        { "homelab", "--json" },
        { "fleet", "--json" },
        { "homelab", "--diff" },
    };

    [Theory]
    [MemberData(nameof(Previews))]
    public async Task Preview_of_a_sample_stack_prints_what_the_JIT_build_prints(string stack, string option)
    {
        using var workspace = new Workspace();
        string[] args = ["preview", "-s", stack, .. option.Length > 0 ? new[] { option } : []];
        // The fleet's sample secrets are encrypted under this passphrase (README); the homelab has none.
        var env = new Dictionary<string, string> { ["PULUMI_CONFIG_PASSPHRASE"] = "llmctl-sample" };

        var (jit, native) = await Builds.BothAsync(workspace, args, env);

        Assert.True(jit.ExitCode == 0, $"the JIT build's preview failed: {jit}");
        if (option == "--json") Assert.True(JsonNode.Parse(native.Out)!["changeSummary"]!["create"]!.GetValue<int>() > 0, native.Out);
        else Assert.Contains("to create", native.Out, StringComparison.Ordinal);
        Builds.AssertSame(jit, native, $"llmctl {string.Join(' ', args)}");
    }

    private static readonly string Corpus = RepoFiles.Path("tests", "Llmctl.Stacks.Tests", "BadInput");

    public static TheoryData<string> BadStacks => new(Directory.GetFiles(Corpus, "Pulumi.*.yaml")
        .Select(f => Path.GetFileName(f).Split('.')[1])
        .Where(s => s != "good")
        .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(BadStacks))]
    public async Task A_bad_stack_file_exits_2_with_the_JIT_builds_located_messages(string stack)
    {
        using var workspace = new Workspace();
        File.Copy(Path.Combine(Corpus, "Pulumi.yaml"), workspace.PathOf("Pulumi.yaml"), overwrite: true);
        File.Copy(Path.Combine(Corpus, $"Pulumi.{stack}.yaml"), workspace.PathOf($"Pulumi.{stack}.yaml"));

        var (jit, native) = await Builds.BothAsync(workspace, ["preview", "-s", stack]);

        Assert.True(native.ExitCode == ExitCodes.ConfigOrUsage, native.ToString());
        var problems = native.Err.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Matches(@"^error: Pulumi\.[a-z0-9]+\.yaml(:\d+:\d+)?: ", p));
        Builds.AssertSame(jit, native, $"llmctl preview -s {stack}");
    }

    [Fact]
    public async Task A_syntax_error_is_reported_at_its_line_and_column()
    {
        using var workspace = new Workspace();
        File.WriteAllText(workspace.PathOf("Pulumi.homelab.yaml"), File.ReadAllText(workspace.PathOf("Pulumi.homelab.yaml")) + "  llm-platform:broken: [unclosed\n");

        var (jit, native) = await Builds.BothAsync(workspace, ["preview", "-s", "homelab"]);

        Assert.Equal(ExitCodes.ConfigOrUsage, native.ExitCode);
        Assert.Matches(new Regex(@"^error: Pulumi\.homelab\.yaml:\d+:\d+: ", RegexOptions.Multiline), native.Err);
        Builds.AssertSame(jit, native, "llmctl preview -s homelab (unclosed '[')");
    }

    public static TheoryData<string, string> Renders => new()
    {
        { "homelab", "" },
        { "fleet", "" },
        { "homelab", "--expand-charts" },
    };

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task Render_writes_the_same_tree_of_manifests_as_the_JIT_build(string stack, string option)
    {
        using var workspace = new Workspace();
        string[] args = ["render", "-s", stack, "--out", "rendered", .. option.Length > 0 ? new[] { option } : []];
        var env = new Dictionary<string, string> { ["PULUMI_CONFIG_PASSPHRASE"] = "llmctl-sample" };

        var jit = await Builds.RunAsync(Build.Jit, workspace, args, env);
        Directory.Move(workspace.PathOf("rendered"), workspace.PathOf("rendered-jit"));
        var native = await Builds.RunAsync(Build.Native, workspace, args, env);

        Assert.True(jit.ExitCode == 0, $"the JIT build's render failed: {jit}");
        Builds.AssertSame(jit, native, $"llmctl {string.Join(' ', args)}");
        var expected = Tree(workspace.PathOf("rendered-jit"));
        var actual = Tree(workspace.PathOf("rendered"));
        Assert.Contains("kustomization.yaml", expected.Keys);
        Assert.True(expected.Count > 10, $"only {expected.Count} files rendered");
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs");
    }

    private static SortedDictionary<string, byte[]> Tree(string root) => new(
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllBytes),
        StringComparer.Ordinal);
}
