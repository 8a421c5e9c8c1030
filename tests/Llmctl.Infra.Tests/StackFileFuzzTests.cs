using System.Diagnostics;
using System.Text;
using CsCheck;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// Mutation fuzzing of the two sample stacks and the project file through <c>llmctl preview</c>: byte flips,
/// truncation, line swaps, indentation changes, key renames and alias insertion (CsCheck generates the mutations and
/// shrinks a failing case). Every mutant must end in exit 0 or 2 — or 5, a policy blocking a file that is valid — and
/// never in a crash, a hang or another code. The test runs a short sample; <c>bench/fuzz.sh</c> runs 10,000
/// (<c>LLMCTL_FUZZ_MUTANTS</c>) and records the result in docs/benchmarks.md.
/// </summary>
public class StackFileFuzzTests
{
    private static readonly string[] Targets = ["Pulumi.homelab.yaml", "Pulumi.fleet.yaml", "Pulumi.yaml"];

    /// <summary>One edit: which kind, where (a fraction of the file), and a parameter (a bit, a width, a length).</summary>
    public sealed record Mutation(int Kind, double Where, int Param);

    private static readonly Gen<Mutation> OneMutation = Gen.Select(Gen.Int[0, 5], Gen.Double.Unit, Gen.Int[0, 255], (k, w, p) => new Mutation(k, w, p));
    private static readonly Gen<(int Target, Mutation[] Mutations)> Mutant = Gen.Select(Gen.Int[0, Targets.Length - 1], OneMutation.Array[1, 3]);

    public static byte[] Apply(byte[] original, IEnumerable<Mutation> mutations)
    {
        var bytes = original;
        foreach (var m in mutations) bytes = Apply(bytes, m);
        return bytes;
    }

    private static byte[] Apply(byte[] bytes, Mutation m)
    {
        if (bytes.Length == 0) return bytes;
        var at = Math.Min(bytes.Length - 1, (int)(m.Where * bytes.Length));
        switch (m.Kind)
        {
            case 0: // flip one bit of one byte
                var flipped = (byte[])bytes.Clone();
                flipped[at] ^= (byte)(1 << (m.Param % 8));
                return flipped;
            case 1: // truncate
                return bytes[..at];
        }
        var lines = Encoding.UTF8.GetString(bytes).Split('\n').ToList();
        var line = Math.Min(lines.Count - 1, (int)(m.Where * lines.Count));
        switch (m.Kind)
        {
            case 2: // swap two lines
                var other = m.Param % lines.Count;
                (lines[line], lines[other]) = (lines[other], lines[line]);
                break;
            case 3: // indent or dedent a line by 1 to 4 spaces
                var width = m.Param % 4 + 1;
                lines[line] = m.Param % 2 == 0 ? new string(' ', width) + lines[line]
                    : lines[line].StartsWith(new string(' ', width), StringComparison.Ordinal) ? lines[line][width..] : lines[line].TrimStart();
                break;
            case 4: // rename a key: drop, double or swap a character before the colon
                var colon = lines[line].IndexOf(':', StringComparison.Ordinal);
                var start = lines[line].Length - lines[line].TrimStart(' ', '-').Length;
                if (colon > start + 1)
                {
                    var i = start + m.Param % (colon - start - 1);
                    var key = lines[line];
                    lines[line] = (m.Param / 8 % 3) switch
                    {
                        0 => key.Remove(i, 1),
                        1 => key.Insert(i, key[i].ToString()),
                        _ => key[..i] + key[i + 1] + key[i] + key[(i + 2)..],
                    };
                }
                break;
            default: // anchor a value and refer to it, or insert a nested alias chain
                var valueAt = lines[line].IndexOf(": ", StringComparison.Ordinal);
                if (m.Param % 3 == 0 || valueAt < 0)
                {
                    var depth = m.Param % 12 + 2;
                    var chain = new List<string> { "  llm-platform:fuzzAliases:", "    a0: &a0 [x, x]" };
                    for (var d = 1; d < depth; d++) chain.Add($"    a{d}: &a{d} [*a{d - 1}, *a{d - 1}, *a{d - 1}]");
                    lines.InsertRange(line, chain);
                }
                else
                {
                    lines[line] = lines[line].Insert(valueAt + 2, "&fz ");
                    var target = m.Param % lines.Count;
                    var targetAt = lines[target].IndexOf(": ", StringComparison.Ordinal);
                    if (targetAt >= 0) lines[target] = lines[target][..(targetAt + 2)] + "*fz";
                }
                break;
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    /// <summary>What one run of the fuzzer saw.</summary>
    /// <param name="First">The first mutant, which pays for the cold start (JIT, first serializers).</param>
    /// <param name="Slowest">The slowest of the others.</param>
    public sealed record FuzzResult(int Mutants, Dictionary<int, int> ExitCodes, TimeSpan First, TimeSpan Slowest, TimeSpan Total);

    /// <summary>Runs <paramref name="count"/> mutants; throws (with the shrunk mutant) on a crash, a hang or an unexpected code.</summary>
    public static FuzzResult Run(int count, TimeSpan hang, long? seed = null)
    {
        var codes = new Dictionary<int, int>();
        var slowest = TimeSpan.Zero;
        TimeSpan? first = null;
        var total = Stopwatch.StartNew();
        var originals = Targets.ToDictionary(t => t, t => File.ReadAllBytes(RepoFiles.Path(t)));
        var accepted = Environment.GetEnvironmentVariable("LLMCTL_FUZZ_ACCEPTED") is { Length: > 0 } ? new List<string>() : null;
        using var cli = new CliHarness();
        File.Copy(RepoFiles.Path("Pulumi.fleet.yaml"), Path.Combine(cli.Directory, "Pulumi.fleet.yaml"));
        Mutant.Sample(mutant =>
        {
            var target = Targets[mutant.Target];
            foreach (var (name, bytes) in originals) File.WriteAllBytes(Path.Combine(cli.Directory, name), bytes);
            File.WriteAllBytes(Path.Combine(cli.Directory, target), Apply(originals[target], mutant.Mutations));
            var stack = target == "Pulumi.fleet.yaml" ? "fleet" : "homelab";
            var clock = Stopwatch.StartNew();
            var run = Task.Run(() => cli.RunAsync("preview", "-s", stack));
            if (!run.Wait(hang)) throw new TimeoutException($"no answer within {hang.TotalSeconds} s");
            clock.Stop();
            if (first is null) first = clock.Elapsed;
            else if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            var code = run.Result;
            codes[code] = codes.GetValueOrDefault(code) + 1;
            if (code == ExitCodes.Ok && accepted is not null) accepted.Add(Describe(target, originals[target], File.ReadAllBytes(Path.Combine(cli.Directory, target))));
            if (code is not (ExitCodes.Ok or ExitCodes.ConfigOrUsage or ExitCodes.PolicyViolation))
                throw new InvalidOperationException($"exit {code}:\n{cli.Err}");
            if (cli.Err.Contains("internal error", StringComparison.Ordinal) || cli.Err.Contains("   at ", StringComparison.Ordinal))
                throw new InvalidOperationException($"crash report:\n{cli.Err}");
        }, iter: count, threads: 1, seed: seed?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (accepted is not null) File.WriteAllLines(Environment.GetEnvironmentVariable("LLMCTL_FUZZ_ACCEPTED")!, accepted);
        return new FuzzResult(count, codes, first ?? TimeSpan.Zero, slowest, total.Elapsed);
    }

    /// <summary>An accepted mutant as the lines it changed (<c>-</c> original, <c>+</c> mutant), for reading the exit-0 classes.</summary>
    private static string Describe(string target, byte[] original, byte[] mutant)
    {
        var before = Encoding.UTF8.GetString(original).Split('\n');
        var after = Encoding.UTF8.GetString(mutant).Split('\n');
        var changed = new StringBuilder($"== {target}\n");
        var shown = 0;
        for (var i = 0; i < Math.Max(before.Length, after.Length) && shown < 6; i++)
        {
            var b = i < before.Length ? before[i] : null;
            var a = i < after.Length ? after[i] : null;
            if (b == a) continue;
            if (b is not null) changed.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {i + 1}- {Escape(b)}\n");
            if (a is not null) changed.Append(System.Globalization.CultureInfo.InvariantCulture, $"  {i + 1}+ {Escape(a)}\n");
            shown++;
        }
        return changed.ToString().TrimEnd();

        static string Escape(string line) => string.Concat(line.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
    }

    [Fact]
    public void Mutated_stack_and_project_files_end_in_exit_0_or_2_never_a_crash_or_hang()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("LLMCTL_FUZZ_MUTANTS"), out var n) ? n : 60;
        // Generous: the check is "no hang"; the 2 s target per mutant is measured by bench/fuzz.sh.
        var result = Run(count, hang: TimeSpan.FromSeconds(60));
        Assert.Equal(count, result.ExitCodes.Values.Sum());
        var summary = $"mutants: {result.Mutants}; exit codes: {string.Join(", ", result.ExitCodes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} × {kv.Value}"))}; "
            + $"first (cold): {result.First.TotalMilliseconds:0} ms; slowest after it: {result.Slowest.TotalMilliseconds:0} ms; "
            + $"mean: {result.Total.TotalMilliseconds / result.Mutants:0} ms; total: {result.Total.TotalSeconds:0.0} s";
        TestContext.Current.SendDiagnosticMessage(summary);
        if (Environment.GetEnvironmentVariable("LLMCTL_FUZZ_RESULT") is { Length: > 0 } path) File.WriteAllText(path, summary + "\n");
    }
}
