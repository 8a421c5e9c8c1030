namespace Llmctl.Testing.Kubernetes;

/// <summary>One request the fake received: method, path with query, content type and the answer's status code.</summary>
public sealed record RequestRecord(string Method, string Path, string Query, string? ContentType, int StatusCode)
{
    public override string ToString() => $"{Method} {Path}{Query} -> {StatusCode}";
}
