using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Gguf;

/// <summary>A short fuzz run on every test run; <c>bench/gguf-fuzz.sh</c> runs 10 000+ (result in docs/gguf-fuzz.md).</summary>
public sealed class GgufFuzzTests
{
    [Fact]
    public void Mutants_of_the_real_upstream_files_are_read_or_refused_clearly_never_crash_hang_or_balloon()
    {
        var dir = SharedFiles.RequirePath("upstream", "gguf");
        var originals = Directory.GetFiles(dir, "*.gguf").Order(StringComparer.Ordinal)
            .Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToList();

        var report = GgufMutator.Run(originals, iterations: 150, seed: 20261201);

        Assert.Empty(report.Failures);
        Assert.Equal(150, report.Accepted + report.Refused);
        Assert.True(report.Refused > 40, $"only {report.Refused} of 150 mutants were refused: the mutations are too mild to test anything");
        Assert.Equal(["byte flips", "deletion", "insertion", "length/count field", "truncation", "type/dims field"], report.ByKind.Keys.Order(StringComparer.Ordinal));
        // Bounded memory: no mutant makes the reader allocate more than 64 MiB (the largest original is 2.2 MB).
        Assert.True(report.MaxAllocatedBytes < 64L * 1024 * 1024, $"a mutant made the reader allocate {report.MaxAllocatedBytes} bytes");
    }
}
