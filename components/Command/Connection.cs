using System.Text.Json.Nodes;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Command;

/// <summary>
/// How to reach a host over SSH (Pulumi.Command's <c>Connection</c>). The whole object is stored as a secret input.
/// Host keys are always verified: pin <see cref="HostKey"/>, or rely on <see cref="KnownHostsPath"/>, or opt in to
/// <see cref="TrustOnFirstUse"/> (Pulumi ignores the host key when none is given; llmctl refuses instead).
/// </summary>
public sealed record Connection
{
    public required Output<string> Host { get; init; }
    public int Port { get; init; } = 22;
    public string User { get; init; } = "root";
    /// <summary>The private key's contents (OpenSSH, PEM or PuTTY format), not a path.</summary>
    public Output<string>? PrivateKey { get; init; }
    public Output<string>? PrivateKeyPassword { get; init; }
    public Output<string>? Password { get; init; }
    /// <summary>The SSH agent's socket (default <c>$SSH_AUTH_SOCK</c>); its keys sign in, their private half never leaves the agent.</summary>
    public string? AgentSocketPath { get; init; }
    /// <summary>The expected host key: a fingerprint (<c>SHA256:…</c>) or an OpenSSH public key line (<c>ssh-ed25519 AAAA…</c>).</summary>
    public Output<string>? HostKey { get; init; }
    /// <summary>Where known host keys are read (and recorded with trust on first use); default <c>~/.ssh/known_hosts</c>.</summary>
    public string? KnownHostsPath { get; init; }
    /// <summary>Accept and record an unknown host key. A changed key is refused regardless.</summary>
    public bool TrustOnFirstUse { get; init; }
    /// <summary>How many failed dials before giving up; -1 retries without limit.</summary>
    public int DialErrorLimit { get; init; } = 10;
    /// <summary>Seconds each dial may take; 0 means no limit of its own.</summary>
    public int PerDialTimeout { get; init; } = 15;

    /// <summary>The JSON input, wrapped as a secret like Pulumi's <c>connection</c>.</summary>
    internal JsonNode ToInput(StackContext context)
    {
        var o = new JsonObject();
        InputValues.Set(o, "host", context, Host);
        o["port"] = Port;
        o["user"] = User;
        InputValues.Set(o, "privateKey", context, PrivateKey);
        InputValues.Set(o, "privateKeyPassword", context, PrivateKeyPassword);
        InputValues.Set(o, "password", context, Password);
        if (AgentSocketPath is not null) o["agentSocketPath"] = AgentSocketPath;
        InputValues.Set(o, "hostKey", context, HostKey);
        if (KnownHostsPath is not null) o["knownHostsPath"] = KnownHostsPath;
        o["trustOnFirstUse"] = TrustOnFirstUse;
        o["dialErrorLimit"] = DialErrorLimit;
        o["perDialTimeout"] = PerDialTimeout;
        return PropertyValues.Secret(o);
    }
}
