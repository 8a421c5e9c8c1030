using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// Mutants that bench/fuzz.sh found ending in exit 0, kept as regressions: each is a configuration error (exit 2) at
/// its file:line:column and key path, with what is wrong, and nothing runs.
/// </summary>
public class FuzzFindingTests
{
    [Theory]
    [InlineData("ctxSize: 49152", "ctxSize: !custom 49152", @"lanes\.items\[0\]\.ctxSize: the YAML tag '!custom' is not supported — remove the tag")]
    [InlineData("parallel: 1\n", "parallel: !!int one\n", @"lanes\.items\[0\]\.parallel: the value is tagged '!!int' but 'one' is not an integer")]
    // A raw NUL byte is not YAML at all (YamlDotNet stops there); the escaped one is valid YAML and refused as a value.
    [InlineData("alias: qwen36-35b-gguf-fast #", "alias: qwen36-35b\0-gguf-fast #", @"YAML syntax error")]
    [InlineData("alias: qwen36-35b-gguf-fast #", "alias: \"qwen36-35b\\0-gguf-fast\" #", @"lanes\.items\[0\]\.alias: the value contains the control character U\+0000")]
    [InlineData("workload.ai/profile: inference", "workload.ai/profile: infer ence", @"gpuNodes\[0\]\.labels\[""workload\.ai/profile""\]: 'infer ence' is not a valid label value")]
    [InlineData("workload.ai/profile: inference", "workload.ai//profile: inference", @"gpuNodes\[0\]\.labels\[""workload\.ai//profile""\]: 'workload\.ai//profile' is not a valid label key")]
    [InlineData("parallel: 1\n", "parallel: 2147483647\n", @"lanes\.items\[0\]\.parallel: LlamaCppLane 'qwen36-35b-gguf-fast': must be between 1 and 256")]
    [InlineData("ctxSize: 49152", "ctxSize: 2147483647", @"lanes\.items\[0\]\.ctxSize: LlamaCppLane 'qwen36-35b-gguf-fast': 2147483647 tokens is beyond any model's context")]
    [InlineData("ctxSize: 49152", "ctxSize: -2147483648", @"lanes\.items\[0\]\.ctxSize: LlamaCppLane 'qwen36-35b-gguf-fast': must be greater than 0")]
    public async Task A_homelab_mutant_that_once_exited_0_is_a_located_config_error(string from, string to, string expected)
    {
        using var cli = new CliHarness();
        cli.EditStackFile(from, to);
        var line = File.ReadAllText(cli.StackFile)[..File.ReadAllText(cli.StackFile).IndexOf(to, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "homelab"));

        // Problems the reader finds name the path from the file's root (config.llm-platform:…), the binder's the key.
        Assert.Matches($@"Pulumi\.homelab\.yaml:{line}:\d+: ((config\.)?llm-platform:)?{expected}", cli.Err);
        Assert.DoesNotContain("   at ", cli.Err);
        Assert.Empty(cli.Provider.Calls);
    }

    [Fact]
    public async Task An_ollama_lane_whose_context_times_its_slots_overflows_the_runner_is_refused_at_ctxSize()
    {
        using var cli = new CliHarness();
        cli.Env("PULUMI_CONFIG_PASSPHRASE", "llmctl-sample");
        var path = Path.Combine(cli.Directory, "Pulumi.fleet.yaml");
        var text = File.ReadAllText(RepoFiles.Path("Pulumi.fleet.yaml"));
        Assert.Contains("        ctxSize: 32768\n        parallel: 1\n", text);
        File.WriteAllText(path, text.Replace("        ctxSize: 32768\n        parallel: 1\n", "        ctxSize: 16777216\n        parallel: 2\n", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("preview", "-s", "fleet"));

        Assert.Matches(@"Pulumi\.fleet\.yaml:\d+:\d+: llm-platform:lanes\.items\[0\]\.ctxSize: OllamaLane 'ollama': 16777216 x 2 parallel slots = 33554432 tokens", cli.Err);
        Assert.Empty(cli.Provider.Calls);
    }
}
