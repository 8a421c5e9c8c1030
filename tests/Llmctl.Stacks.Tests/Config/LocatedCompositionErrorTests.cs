using Llmctl.Engine.Config;
using Llmctl.Testing;

namespace Llmctl.Stacks.Tests.Config;

/// <summary>
/// Problems the composition finds (a component refusing an argument, unknown hardware, a missing lock) are reported
/// through <see cref="StackPipeline"/> like binding problems: every one of them, each at the file:line:column of the
/// stack value it came from.
/// </summary>
public sealed class LocatedCompositionErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmctl-located-").FullName;

    public LocatedCompositionErrorTests()
    {
        foreach (var file in new[] { "Pulumi.yaml", "Pulumi.homelab.yaml", "models.lock.yaml" }) File.Copy(RepoFiles.Path(file), Path.Combine(_dir, file));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string StackFile => Path.Combine(_dir, "Pulumi.homelab.yaml");

    private void Edit(string from, string to, int count = 1)
    {
        var text = File.ReadAllText(StackFile);
        var at = -1;
        for (var i = 0; i < count; i++)
        {
            at = text.IndexOf(from, at + 1, StringComparison.Ordinal);
            Assert.True(at >= 0, $"'{from}' #{i + 1} not in the stack file");
            text = text[..at] + to + text[(at + from.Length)..];
        }
        File.WriteAllText(StackFile, text);
    }

    // The 1-based line and column of the n-th occurrence of a text in the stack file.
    private (int Line, int Column) Position(string text, int occurrence = 1)
    {
        var lines = File.ReadAllLines(StackFile);
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var column = lines[i].IndexOf(text, StringComparison.Ordinal);
            if (column >= 0 && ++seen == occurrence) return (i + 1, column + 1);
        }
        throw new InvalidOperationException($"'{text}' not found");
    }

    private IReadOnlyList<ConfigDiagnostic> Problems() =>
        Assert.ThrowsAny<ConfigException>(() => StackPipeline.Run(_dir, "homelab")).Diagnostics;

    [Fact]
    public void Two_lanes_with_a_negative_ctxSize_are_both_reported_at_their_values()
    {
        Edit("ctxSize: 49152", "ctxSize: -5");
        Edit("ctxSize: 32768 #", "ctxSize: -7 #");
        var problems = Problems();

        Assert.Equal(2, problems.Count);
        var (line, column) = Position("ctxSize: -5");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 9}: llm-platform:lanes.items[0].ctxSize: LlamaCppLane 'qwen36-35b-gguf-fast': must be greater than 0, not -5 — ", problems[0].ToString());
        (line, column) = Position("ctxSize: -7");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 9}: llm-platform:lanes.items[2].ctxSize:", problems[1].ToString());
    }

    // Integer extremes found by fuzzing (bench/fuzz.sh): each once ran to exit 0. ModelServerLimits has the ranges.
    [Theory]
    [InlineData("ctxSize: 49152", "ctxSize: 2147483647", "ctxSize", "2147483647 tokens is beyond any model's context")]
    [InlineData("parallel: 1", "parallel: 2147483647", "parallel", "must be between 1 and 256 (llama.cpp's limit on parallel sequences), not 2147483647")]
    [InlineData("parallel: 1", "parallel: -2147483648", "parallel", "must be between 1 and 256 (llama.cpp's limit on parallel sequences), not -2147483648")]
    [InlineData("parallel: 1", "parallel: 0", "parallel", "must be between 1 and 256")]
    [InlineData("ctxSize: 49152", "ctxSize: 0", "ctxSize", "must be greater than 0, not 0")]
    [InlineData("ctxSize: 49152", "ctxSize: 49152\n        gpus: 2147483647", "gpus", "must be between 1 and 64, not 2147483647")]
    public void An_out_of_range_lane_number_is_reported_at_its_value(string from, string to, string key, string message)
    {
        Edit(from, to);
        var problems = Problems();

        var (line, _) = Position(to.Split('\n')[^1].Trim());
        Assert.Contains(problems, p => p.Line == line && p.KeyPath == $"llm-platform:lanes.items[0].{key}" && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_hardware_is_reported_at_its_value()
    {
        Edit("hardware: rtx-pro-4000-blackwell-sff", "hardware: rtx-9090");
        var problems = Problems();
        var (line, column) = Position("rtx-9090");
        // The GPU composer resolves the hardware (catalog key or inline GPUs) and names the catalog's keys after the message.
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column}: llm-platform:gpuNodes[0].hardware: 'rtx-9090' is not in the hardware catalog",
            Assert.Single(problems).ToString());
    }

    [Fact]
    public void Unknown_hardware_beside_a_binding_error_are_both_reported_each_at_its_value()
    {
        Edit("hardware: rtx-pro-4000-blackwell-sff", "hardware: rtx-9090");
        Edit("      cpu: 16\n", "      cpu: sixteen\n");
        var problems = Assert.Throws<ConfigException>(() => StackPipeline.Bind(StackPipeline.Load(_dir, "homelab"))).Diagnostics;

        Assert.Equal(2, problems.Count);
        var (line, column) = Position("cpu: sixteen");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 5}: llm-platform:gpuNodes[0].cpu: expected an integer, got 'sixteen'", problems[0].ToString());
        (line, column) = Position("rtx-9090");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column}: llm-platform:gpuNodes[0].hardware: 'rtx-9090' is not in the hardware catalog", problems[1].ToString());
    }

    [Fact]
    public void A_bad_inline_gpu_vendor_beside_a_binding_error_are_both_reported_each_at_its_value()
    {
        Edit("hardware: rtx-pro-4000-blackwell-sff", "gpus: {vendor: intel, model: Arc B580, memory: 12Gi}");
        Edit("        parallel: 1\n", "        parallel: one\n");
        var problems = Assert.Throws<ConfigException>(() => StackPipeline.Bind(StackPipeline.Load(_dir, "homelab"))).Diagnostics;

        Assert.Equal(2, problems.Count);
        var (line, column) = Position("parallel: one");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 10}: llm-platform:lanes.items[0].parallel: expected an integer, got 'one'", problems[0].ToString());
        (line, column) = Position("intel");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column}: llm-platform:gpuNodes[0].gpus.vendor: 'intel' is not a GPU vendor llmctl supports", problems[1].ToString());
    }

    [Fact]
    public void A_binding_error_alone_is_not_followed_by_composition_noise_about_the_same_value()
    {
        Edit("ctxSize: 49152", "ctxSize: big");
        var problems = Assert.Throws<ConfigException>(() => StackPipeline.Bind(StackPipeline.Load(_dir, "homelab"))).Diagnostics;

        var (line, column) = Position("ctxSize: big");
        Assert.Equal($"Pulumi.homelab.yaml:{line}:{column + 9}: llm-platform:lanes.items[0].ctxSize: expected an integer, got 'big' — write a whole number such as 8080",
            Assert.Single(problems).ToString());
    }

    [Fact]
    public void An_unknown_KV_cache_type_in_two_lanes_is_reported_at_both_values()
    {
        Edit("cacheTypeK: q8_0", "cacheTypeK: q9_0", count: 2);
        var problems = Problems();
        Assert.Equal(2, problems.Count);
        var (line, column) = Position("cacheTypeK: q9_0");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 12}: llm-platform:lanes.items[0].cacheTypeK: 'q9_0' is not a llama.cpp KV cache type", problems[0].ToString());
        (line, column) = Position("cacheTypeK: q9_0", occurrence: 2);
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 12}: llm-platform:lanes.items[1].cacheTypeK:", problems[1].ToString());
    }

    [Fact]
    public void A_modelRef_without_a_lock_file_is_reported_at_the_modelRef()
    {
        File.Delete(Path.Combine(_dir, "models.lock.yaml"));
        var problems = Problems();
        var (line, column) = Position("modelRef: qwen36-35b-a3b-ud-q4-k-m");
        Assert.StartsWith($"Pulumi.homelab.yaml:{line}:{column + 10}: llm-platform:lanes.items[0].modelRef: lane 'qwen36-35b-gguf-fast' names model", problems[0].ToString());
        Assert.Equal(3, problems.Count); // every lane that names a modelRef
    }
}
