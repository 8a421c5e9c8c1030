using System.Buffers.Binary;
using System.Diagnostics;
using Llmctl.Fit.Gguf;

namespace Llmctl.Fit.Tests.Gguf;

/// <summary>
/// Mutates real GGUF files and reads each mutant: byte flips, truncations, and corruptions of the length and count fields
/// (found by walking the original's layout independently of the reader) with edge values. Every read must end in a
/// file or a <see cref="GgufFormatException"/> naming the file — no other exception, no hang, bounded allocation.
/// Shared by the short test run and the long benchmark (bench/gguf-fuzz.sh).
/// </summary>
public static class GgufMutator
{
    private static readonly ulong[] EdgeValues =
    [
        0, 1, 2, 7, 8, 63, 64, 255, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 1UL << 40,
        (1UL << 62) + 3, long.MaxValue, 1UL << 63, ulong.MaxValue, ulong.MaxValue - 7,
    ];

    public sealed record Report(int Iterations, int Accepted, int Refused, IReadOnlyDictionary<string, int> ByKind,
        long MaxAllocatedBytes, TimeSpan MaxElapsed, TimeSpan Total, IReadOnlyList<string> Failures, IReadOnlyList<string> SampleMessages);

    public static Report Run(IReadOnlyList<(string Name, byte[] Bytes)> originals, int iterations, int seed)
    {
        var random = new Random(seed);
        var fields = originals.Select(o => Fields(o.Bytes)).ToList();
        var byKind = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var messages = new SortedSet<string>(StringComparer.Ordinal);
        int accepted = 0, refused = 0;
        long maxAllocated = 0;
        var maxElapsed = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var which = random.Next(originals.Count);
            var (name, original) = originals[which];
            var (kind, mutant) = Mutate(random, original, fields[which]);
            byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
            var label = $"#{i} {kind} of {name}";
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            try
            {
                var file = GgufFile.Read(new MemoryStream(mutant, writable: false), label);
                try
                {
                    _ = GgufModelFacts.Read([file]);
                }
                catch (GgufFormatException ex) when (ex.Message.Contains(label, StringComparison.Ordinal))
                {
                    // The file reads but is not a model the facts can describe: also a clear answer.
                }
                accepted++;
            }
            catch (GgufFormatException ex)
            {
                refused++;
                if (!ex.Message.StartsWith(label + ": ", StringComparison.Ordinal) || ex.Message.Length <= label.Length + 10)
                {
                    failures.Add($"{label}: unclear message '{ex.Message}'");
                }
                else if (messages.Count < 5000)
                {
                    messages.Add(ex.Message[(label.Length + 2)..]);
                }
            }
#pragma warning disable CA1031 // the point is to catch whatever escapes
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add($"{label}: {ex.GetType().Name}: {ex.Message}");
            }
            watch.Stop();
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (watch.Elapsed > maxElapsed) maxElapsed = watch.Elapsed;
            if (watch.Elapsed > TimeSpan.FromSeconds(10)) failures.Add($"{label}: took {watch.Elapsed.TotalSeconds:F1} s");
        }
        return new Report(iterations, accepted, refused, byKind, maxAllocated, maxElapsed, total.Elapsed, failures,
            [.. messages.Select(m => System.Text.RegularExpressions.Regex.Replace(m, @"\d+", "N")).Distinct().Take(40)]);
    }

    private static (string Kind, byte[] Bytes) Mutate(Random random, byte[] original, IReadOnlyList<(long Offset, int Width)> fields)
    {
        var header = (int)Math.Min(original.Length, fields.Count > 0 ? fields.Max(f => f.Offset) + 64 : original.Length);
        switch (random.Next(5))
        {
            case 0:
            {
                var bytes = (byte[])original.Clone();
                var flips = 1 + random.Next(8);
                for (var f = 0; f < flips; f++) bytes[random.Next(header)] ^= (byte)(1 << random.Next(8));
                return ("byte flips", bytes);
            }
            case 1:
                return ("truncation", original[..random.Next(original.Length)]);
            case 2:
            case 3:
            {
                var bytes = (byte[])original.Clone();
                var (offset, width) = fields[random.Next(fields.Count)];
                var value = random.Next(4) == 0 ? (ulong)random.NextInt64() : EdgeValues[random.Next(EdgeValues.Length)];
                if (random.Next(3) == 0) value = BinaryPrimitives.ReadUInt64LittleEndian(PadTo8(bytes, offset, width)) + (ulong)random.Next(1, 64);
                if (width == 8) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)offset), value);
                else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)offset), (uint)value);
                return (width == 8 ? "length/count field" : "type/dims field", bytes);
            }
            default:
            {
                // Insert or delete a few bytes inside the header: every later field shifts.
                var at = random.Next(Math.Max(header, 1));
                var n = 1 + random.Next(16);
                if (random.Next(2) == 0)
                {
                    var inserted = new byte[n];
                    random.NextBytes(inserted);
                    return ("insertion", [.. original.AsSpan(0, at), .. inserted, .. original.AsSpan(at)]);
                }
                return ("deletion", [.. original.AsSpan(0, at), .. original.AsSpan(Math.Min(at + n, original.Length))]);
            }
        }
    }

    private static byte[] PadTo8(byte[] bytes, long offset, int width)
    {
        var buffer = new byte[8];
        bytes.AsSpan((int)offset, width).CopyTo(buffer);
        return buffer;
    }

    /// <summary>
    /// The offsets of the header's count, length and type fields (u64 counts and lengths, u32 types and dimension counts),
    /// found by walking the layout of <c>vram_fit.md</c> §1.1 — a walker of its own, not the reader under test.
    /// </summary>
    internal static IReadOnlyList<(long Offset, int Width)> Fields(byte[] f)
    {
        var fields = new List<(long, int)> { (8, 8), (16, 8), (4, 4) };
        long p = 24;
        ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan((int)at));
        uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)at));
        void Str()
        {
            fields.Add((p, 8));
            p += 8 + (long)U64(p);
        }
        void Value(uint type)
        {
            switch (type)
            {
                case 0 or 1 or 7: p += 1; break;
                case 2 or 3: p += 2; break;
                case 4 or 5 or 6: p += 4; break;
                case 10 or 11 or 12: p += 8; break;
                case 8: Str(); break;
                case 9:
                    var element = U32(p);
                    fields.Add((p, 4));
                    fields.Add((p + 4, 8));
                    var count = (long)U64(p + 4);
                    p += 12;
                    for (long i = 0; i < count; i++)
                    {
                        // Long arrays: remember a few element fields, skip the rest quickly.
                        var before = fields.Count;
                        Value(element);
                        if (i > 16 && fields.Count > before) fields.RemoveRange(before, fields.Count - before);
                    }
                    break;
            }
        }
        var tensors = (long)U64(8);
        var kvs = (long)U64(16);
        for (long i = 0; i < kvs; i++)
        {
            Str();
            var type = U32(p);
            fields.Add((p, 4));
            p += 4;
            Value(type);
        }
        for (long i = 0; i < tensors; i++)
        {
            Str();
            var dims = U32(p);
            fields.Add((p, 4));
            p += 4;
            for (var d = 0; d < dims; d++)
            {
                fields.Add((p, 8));
                p += 8;
            }
            fields.Add((p, 4));
            fields.Add((p + 4, 8));
            p += 12;
        }
        return fields;
    }
}
