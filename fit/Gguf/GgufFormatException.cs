namespace Llmctl.Fit.Gguf;

/// <summary>
/// A file is not a GGUF this reader accepts: what is wrong and at which byte, e.g.
/// <c>model.gguf: byte 1234: metadata 'tokenizer.ggml.tokens': an array of 4611686018427387904 strings does not fit in the 8120 bytes left in the file</c>.
/// </summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException(string file, long offset, string problem)
        : base($"{file}: byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
        Problem = problem;
    }

    public GgufFormatException()
    {
        File = "";
        Problem = "";
    }

    public GgufFormatException(string message) : base(message)
    {
        File = "";
        Problem = message;
    }

    public GgufFormatException(string message, Exception innerException) : base(message, innerException)
    {
        File = "";
        Problem = message;
    }

    public string File { get; }
    public long Offset { get; }
    public string Problem { get; }
}

/// <summary>
/// Caps on what a GGUF may make the reader allocate, beyond the check of every count and length against the bytes left
/// in the file. The defaults are far above any real model (a 250k-token vocabulary with its merges is about 1M array
/// elements and a few MiB of strings).
/// </summary>
public sealed record GgufLimits
{
    public static GgufLimits Default { get; } = new();

    /// <summary>Metadata keys: 65535 bytes (the GGUF spec).</summary>
    public int MaxKeyBytes { get; init; } = 65_535;
    /// <summary>Tensor names: 63 bytes (llama.cpp refuses names of <c>GGML_MAX_NAME</c> = 64 or more).</summary>
    public int MaxTensorNameBytes { get; init; } = 63;
    /// <summary>One string value (a chat template is tens of KiB).</summary>
    public int MaxStringBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>All string bytes of the file together.</summary>
    public long MaxTotalStringBytes { get; init; } = 256L * 1024 * 1024;
    /// <summary>All array elements of the file together.</summary>
    public long MaxTotalArrayElements { get; init; } = 8L * 1024 * 1024;
    /// <summary>How deep arrays may nest.</summary>
    public int MaxArrayDepth { get; init; } = 8;
    public long MaxMetadataCount { get; init; } = 1_000_000;
    public long MaxTensorCount { get; init; } = 1_000_000;
    /// <summary>Dimensions per tensor (<c>GGML_MAX_DIMS</c>).</summary>
    public int MaxDimensions { get; init; } = 4;
}
