using Llmctl.Fit.Gguf;
using Llmctl.Testing;

namespace Llmctl.Fit.Tests.Gguf;

public sealed class GgufReaderTests
{
    private static string Upstream(string name) => SharedFiles.RequirePath("upstream", "gguf", name);

    [Fact]
    public void The_real_tiny_llama_reads_with_its_twelve_tensors_ending_exactly_at_the_end_of_the_file()
    {
        var file = GgufFile.Read(Upstream("llama-2-tiny-random.gguf"));

        Assert.Equal((3u, false, "llama"), (file.Version, file.BigEndian, file.Architecture));
        Assert.Equal(12, file.Tensors.Count); // SOURCES.md: 12 tensors
        Assert.Equal(32u, file.Alignment);
        Assert.Equal(0, file.DataOffset % 32);
        Assert.Equal("LLaMA v2", file["general.name"]!.AsString());
        Assert.Equal(4096, file["llama.context_length"]!.AsInteger());
        Assert.Equal(32000, file["tokenizer.ggml.tokens"]!.AsArray()!.Count);
        Assert.Equal(GgufValueType.Float32, file["tokenizer.ggml.scores"]!.AsArray()!.ElementType);
        var embd = Assert.Single(file.Tensors, t => t.Name == "token_embd.weight");
        Assert.Equal([8L, 32000L], embd.Dimensions);
        Assert.Equal(("F16", 8L * 32000 * 2), (embd.TypeName, embd.ByteSize!.Value));
        // gguf-py writes the tensors back to back (each aligned): the last one ends where the file ends.
        var last = file.Tensors.MaxBy(t => t.Offset)!;
        Assert.Equal(file.Length, file.DataOffset + last.Offset + last.ByteSize!.Value);
    }

    [Theory]
    [InlineData("ggml-vocab-baichuan.gguf", "baichuan")]
    [InlineData("ggml-vocab-bert-bge.gguf", "bert")]
    [InlineData("ggml-vocab-falcon.gguf", "falcon")]
    [InlineData("ggml-vocab-gpt-2.gguf", "gpt2")]
    [InlineData("ggml-vocab-gpt-neox.gguf", "gptneox")]
    [InlineData("ggml-vocab-llama-spm.gguf", "llama")]
    [InlineData("ggml-vocab-mpt.gguf", "mpt")]
    [InlineData("ggml-vocab-phi-3.gguf", "phi3")]
    [InlineData("ggml-vocab-refact.gguf", "refact")]
    [InlineData("ggml-vocab-starcoder.gguf", "starcoder2")]
    public void Every_upstream_vocabulary_file_reads_with_its_architecture_and_no_tensors(string name, string architecture)
    {
        var file = GgufFile.Read(Upstream(name));

        Assert.Equal(architecture, file.Architecture);
        Assert.Empty(file.Tensors);
        Assert.True(file["tokenizer.ggml.tokens"]!.AsArray()!.Count > 1000);
    }

    [Fact]
    public void Reading_over_a_non_seekable_stream_with_the_length_given_gives_the_same_file()
    {
        var bytes = File.ReadAllBytes(Upstream("llama-2-tiny-random.gguf"));
        using var stream = new NonSeekable(new MemoryStream(bytes));

        var file = GgufFile.Read(stream, "pipe", bytes.Length);

        Assert.Equal(GgufFile.Read(new MemoryStream(bytes), "memory").Tensors, file.Tensors);
    }

    [Theory]
    [InlineData(2u, false)]
    [InlineData(3u, false)]
    [InlineData(3u, true)]
    public void Every_value_type_and_nested_arrays_round_trip_in_v2_v3_and_big_endian(uint version, bool bigEndian)
    {
        var bytes = new GgufBuilder { Version = version, BigEndian = bigEndian, Alignment = 64 }
            .Str("general.architecture", "llama")
            .Add("general.alignment", GgufValueType.UInt32, 64u)
            .Add("t.u8", GgufValueType.UInt8, (byte)200)
            .Add("t.i8", GgufValueType.Int8, (sbyte)-100)
            .Add("t.u16", GgufValueType.UInt16, (ushort)60000)
            .Add("t.i16", GgufValueType.Int16, (short)-30000)
            .Add("t.u32", GgufValueType.UInt32, 4000000000u)
            .Add("t.i32", GgufValueType.Int32, -2000000000)
            .Add("t.f32", GgufValueType.Float32, 1.5f)
            .Add("t.bool", GgufValueType.Bool, true)
            .Add("t.str", GgufValueType.String, "héllo ✓")
            .Add("t.u64", GgufValueType.UInt64, 18000000000000000000UL)
            .Add("t.i64", GgufValueType.Int64, -9000000000000000000L)
            .Add("t.f64", GgufValueType.Float64, 2.25)
            .Add("t.strs", GgufValueType.Array, (GgufValueType.String, (object)new[] { "a", "", "ccc" }))
            .Add("t.nested", GgufValueType.Array, (GgufValueType.Array, (object)new object[]
            {
                (GgufValueType.Int32, (object)new[] { 1, -2 }),
                (GgufValueType.Array, (object)new object[] { (GgufValueType.Bool, (object)new[] { true, false }) }),
            }))
            .Tensor("blk.0.attn_q.weight", 12, 256, 4)
            .Build();

        var file = GgufBuilder.Read(bytes);

        Assert.Equal((version, bigEndian, 64u), (file.Version, file.BigEndian, file.Alignment));
        Assert.Equal((byte)200, file["t.u8"]!.Value);
        Assert.Equal((sbyte)-100, file["t.i8"]!.Value);
        Assert.Equal((ushort)60000, file["t.u16"]!.Value);
        Assert.Equal((short)-30000, file["t.i16"]!.Value);
        Assert.Equal(4000000000L, file["t.u32"]!.AsInteger());
        Assert.Equal(-2000000000L, file["t.i32"]!.AsInteger());
        Assert.Equal(1.5f, file["t.f32"]!.Value);
        Assert.True(file["t.bool"]!.AsBool());
        Assert.Equal("héllo ✓", file["t.str"]!.AsString());
        Assert.Equal(18000000000000000000UL, file["t.u64"]!.Value);
        Assert.Null(file["t.u64"]!.AsInteger()); // does not fit in a long: not silently wrapped
        Assert.Equal(-9000000000000000000L, file["t.i64"]!.AsInteger());
        Assert.Equal(2.25, file["t.f64"]!.Value);
        Assert.Equal(["a", "", "ccc"], file["t.strs"]!.AsArray()!.AsStrings()!);
        var nested = file["t.nested"]!.AsArray()!;
        var inner = (GgufArray[])nested.Items;
        Assert.Equal([1L, -2L], inner[0].AsIntegers()!);
        Assert.Equal([true, false], ((GgufArray[])inner[1].Items)[0].AsBools()!);
        var tensor = Assert.Single(file.Tensors);
        Assert.Equal((144L * 4, 0L), (tensor.ByteSize!.Value, file.DataOffset % 64));
    }

    [Fact]
    public void Every_ggml_type_of_the_reference_has_its_block_size_and_bytes_per_block()
    {
        var builder = new GgufBuilder().Str("general.architecture", "llama");
        foreach (var (id, (block, _)) in GgufBuilder.ReferenceSizes) builder.Tensor($"t{id}", id, block * 2L, 3);

        var file = GgufBuilder.Read(builder.Build());

        Assert.Equal(GgufBuilder.ReferenceSizes.Count, file.Tensors.Count);
        foreach (var t in file.Tensors)
        {
            var (_, bytes) = GgufBuilder.ReferenceSizes[t.TypeId];
            Assert.Equal(bytes * 2L * 3, t.ByteSize);
        }
        Assert.Equal(GgufBuilder.ReferenceSizes.Keys.Order(), GgmlType.KnownIds.Order());
        Assert.Equal(("MXFP4", "IQ4_XS", "Q6_K", "BF16"), (GgmlType.Name(39), GgmlType.Name(23), GgmlType.Name(14), GgmlType.Name(30)));
    }

    [Fact]
    public void An_unknown_tensor_type_is_tolerated_by_the_reader_with_an_unknown_size()
    {
        var file = GgufBuilder.Read(new GgufBuilder().Str("general.architecture", "llama").Tensor("x", 57, 64).Build());

        var t = Assert.Single(file.Tensors);
        Assert.Equal(("type 57", (long?)null), (t.TypeName, t.ByteSize));
    }

    public static TheoryData<string, byte[], string> Hostile => new()
    {
        { "not GGUF", "GGML\x03\0\0\0"u8.ToArray(), "not a GGUF file" },
        { "four bytes", "GGUF"u8.ToArray(), "but 4 more are needed" },
        { "version 1", Header(1, 0, 0), "GGUF version 1" },
        { "version 7", Header(7, 0, 0), "GGUF version 7 is not supported" },
        { "huge tensor count", Header(3, ulong.MaxValue, 0), "the tensor count is 18446744073709551615, but the" },
        { "huge metadata count", Header(3, 0, 1UL << 60), "the metadata count is 1152921504606846976" },
        { "huge key length", [.. Header(3, 0, 1), .. U64(1UL << 62), .. new byte[16]], "metadata key #0: a string of 4611686018427387904 bytes does not fit" },
        { "huge array", [.. Header(3, 0, 1), .. Str("k"), .. U32(9), .. U32(8), .. U64(1UL << 61)], "metadata 'k': an array of 2305843009213693952 String elements does not fit" },
        { "bad value type", [.. Header(3, 0, 1), .. Str("k"), .. U32(13)], "metadata 'k' has value type 13, which is not a GGUF value type" },
        { "bad bool", [.. Header(3, 0, 1), .. Str("k"), .. U32(7), 2], "metadata 'k': bool byte 2 is neither 0 nor 1" },
        { "truncated value", [.. Header(3, 0, 1), .. Str("k"), .. U32(10), 1, 2], "but 8 more are needed (is it truncated?)" },
        { "duplicate key", [.. Header(3, 0, 2), .. Str("k"), .. U32(0), 1, .. Str("k"), .. U32(0), 1], "metadata key 'k' appears twice" },
        { "bad alignment", [.. Header(3, 0, 1), .. Str("general.alignment"), .. U32(4), .. U32(48)], "general.alignment is UInt32 48; it must be a uint32 power of two" },
        { "invalid utf-8 key", [.. Header(3, 0, 1), .. U64(2), 0xC3, 0x28, .. U32(0), 1], "metadata key #0 is not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_headers_are_refused_with_the_byte_and_the_problem(string what, byte[] bytes, string message)
    {
        var ex = Assert.Throws<GgufFormatException>(() => GgufBuilder.Read(bytes, "evil.gguf"));

        Assert.StartsWith("evil.gguf: byte ", ex.Message);
        Assert.True(ex.Message.Contains(message, StringComparison.Ordinal), $"{what}: {ex.Message}");
    }

    [Fact]
    public void Arrays_nested_deeper_than_the_limit_are_refused_without_recursing_further()
    {
        // 10 000 levels of "array of arrays, 1 element": a naive recursive reader would overflow its stack.
        var bytes = new List<byte>([.. Header(3, 0, 1), .. Str("deep"), .. U32(9)]);
        for (var i = 0; i < 10_000; i++) bytes.AddRange([.. U32(9), .. U64(1)]);
        bytes.AddRange([.. U32(0), .. U64(0)]);

        var ex = Assert.Throws<GgufFormatException>(() => GgufBuilder.Read([.. bytes]));

        Assert.Contains("arrays nest more than 8 deep", ex.Message);
    }

    [Fact]
    public void Tensor_infos_that_lie_are_refused()
    {
        GgufFormatException Fails(GgufBuilder b) => Assert.Throws<GgufFormatException>(() => GgufBuilder.Read(b.Build()));
        GgufBuilder Model() => new GgufBuilder().Str("general.architecture", "llama");

        Assert.Contains("past the end of the", Fails(new GgufBuilder { OmitData = true }.Str("general.architecture", "llama").Tensor("w", 0, 1024, 1024)).Message);
        Assert.Contains("not a multiple of the alignment 32", Fails(Model().TensorAt("w", 0, 4, 8)).Message);
        Assert.Contains("is not a multiple of Q4_K's block size 256", Fails(Model().Tensor("w", 12, 100)).Message);
        Assert.Contains("has 5 dimensions; at most 4", Fails(Model().Tensor("w", 0, 1, 1, 1, 1, 1)).Message);
        Assert.Contains("its element count overflows 64 bits", Fails(Model().Tensor("w", 0, 1L << 40, 1L << 40)).Message);
        Assert.Contains("tensor 'w' appears twice", Fails(Model().Tensor("w", 0, 8).Tensor("w", 0, 8)).Message);
        Assert.Contains("is longer than the 63 allowed", Fails(Model().Tensor(new string('x', 64), 0, 8)).Message);
        Assert.Contains("past the end of the", Fails(Model().TensorAt("w", 0, 1L << 40, 8)).Message);
    }

    private static byte[] Header(uint version, ulong tensors, ulong kvs) => [.. "GGUF"u8.ToArray(), .. U32(version), .. U64(tensors), .. U64(kvs)];
    private static byte[] U32(uint v) => BitConverter.GetBytes(v);
    private static byte[] U64(ulong v) => BitConverter.GetBytes(v);
    private static byte[] Str(string s) => [.. U64((ulong)System.Text.Encoding.UTF8.GetByteCount(s)), .. System.Text.Encoding.UTF8.GetBytes(s)];

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        // Short reads on purpose: at most 1000 bytes at a time.
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
