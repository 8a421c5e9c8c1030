using System.Diagnostics;
using System.Text.RegularExpressions;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// What the user sees for every file of the bad-input corpus (<c>tests/Llmctl.Stacks.Tests/BadInput</c>) and for the
/// mistakes the environment makes visible: exit 2 (or the documented code), the problems as readable messages with
/// their file — never a .NET resource key, a stack trace or an "internal error".
/// </summary>
public partial class BadInputCorpusTests
{
    private static readonly string Corpus = RepoFiles.Path("tests", "Llmctl.Stacks.Tests", "BadInput");

    public static TheoryData<string> Stacks => new(Directory.GetFiles(Corpus, "Pulumi.*.yaml")
        .Select(f => Path.GetFileName(f).Split('.')[1])
        .Where(s => s != "good")
        .Order(StringComparer.Ordinal));

    // .NET resource keys (UseSystemResourceKeys): Arg_InvalidOperationException, IO_FileExists_Name, net_http_….
    // A quoted value from the user's file ('Home_Lab') is not one.
    [GeneratedRegex(@"\bnet_[a-z_]+\b|(?<!')\b(?=[A-Za-z_]*[a-z])(?=[A-Za-z_]*[A-Z])[A-Za-z]+_[A-Za-z_]+\b")]
    private static partial Regex ResourceKey();

    private static void AssertReadable(string err)
    {
        Assert.DoesNotMatch(ResourceKey(), err);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", err, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_bad_stack_file_exits_2_with_located_readable_messages(string stack)
    {
        using var cli = new CliHarness();
        File.Copy(Path.Combine(Corpus, "Pulumi.yaml"), Path.Combine(cli.Directory, "Pulumi.yaml"), overwrite: true);
        File.Copy(Path.Combine(Corpus, $"Pulumi.{stack}.yaml"), Path.Combine(cli.Directory, $"Pulumi.{stack}.yaml"));

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", stack));
        AssertReadable(cli.Err);
        var problems = cli.Err.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.Matches(@"^error: Pulumi\.[a-z0-9]+\.yaml(:\d+:\d+)?: ", p));
        Assert.Empty(cli.Provider.Calls);
    }

    // The real program, as a process: framework messages come from its own runtimeconfig (no resource keys).
    private static async Task<(int Code, string Err)> RunLlmctlAsync(string directory, IDictionary<string, string> env, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llmctl.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = directory;
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        return (process.ExitCode, await stderr);
    }

    public static TheoryData<string, string, string, int, string> UserMistakes => new()
    {
        { "LLMCTL_BACKEND_URL", "s3://bucket", "preview", ExitCodes.ConfigOrUsage, "LLMCTL_BACKEND_URL: state backend 's3://bucket' is not supported" },
        { "LLMCTL_BACKEND_URL", "file://Pulumi.yaml/state", "up", ExitCodes.Error, "Pulumi.yaml/state" },
        { "PULUMI_CONFIG_PASSPHRASE_FILE", "/nonexistent/passphrase", "config-get-secret", ExitCodes.ConfigOrUsage, "unable to read PULUMI_CONFIG_PASSPHRASE_FILE '/nonexistent/passphrase'" },
        { "", "", "render-onto-file", ExitCodes.ConfigOrUsage, "is a file; render writes a folder of manifests" },
    };

    [Theory]
    [MemberData(nameof(UserMistakes))]
    public async Task A_mistake_in_the_environment_is_a_readable_message_with_its_exit_code(string variable, string value, string verb, int code, string fragment)
    {
        using var cli = new CliHarness();
        var env = new Dictionary<string, string> { ["LLMCTL_BACKEND_URL"] = "file://.state" };
        if (variable.Length > 0) env[variable] = value;
        string[] args = verb switch
        {
            "config-get-secret" => ["config", "get", "llm-platform:sshPrivateKey", "-s", "fleet"],
            "render-onto-file" => ["render", "--out", "Pulumi.yaml", "-s", "homelab"],
            "up" => ["up", "--yes", "-s", "homelab"],
            _ => ["preview", "-s", "homelab"],
        };
        if (verb == "config-get-secret") File.Copy(RepoFiles.Path("Pulumi.fleet.yaml"), Path.Combine(cli.Directory, "Pulumi.fleet.yaml"));

        var (exit, err) = await RunLlmctlAsync(cli.Directory, env, args);

        Assert.True(exit == code, $"exit {exit}, expected {code}:\n{err}");
        Assert.Contains(fragment, err, StringComparison.Ordinal);
        AssertReadable(err);
    }
}
