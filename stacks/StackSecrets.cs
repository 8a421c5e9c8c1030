using Llmctl.Engine.Model;

namespace Llmctl.Stacks;

/// <summary>
/// The stack's secret configuration (<c>&lt;project&gt;:&lt;key&gt;</c> <c>secure:</c> values), read only by the parts
/// of the composition that need them, and always as secret outputs. The CLI backs it with
/// <c>Llmctl.Engine.Config.Config.GetSecret</c> (decrypted with the stack's passphrase on first read).
/// </summary>
public sealed class StackSecrets(Func<string, Output<string>?> get)
{
    /// <summary>The secret keys the composition reads (under the project namespace, always <c>secure:</c>).</summary>
    public static IReadOnlySet<string> Keys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Compose.ClusterComposer.SshKeySecret,
        Compose.ClusterComposer.TokenSecret,
        Compose.GatewayComposer.MasterKeySecret,
    };

    /// <summary>A stack with no secret configuration at all.</summary>
    public static StackSecrets None { get; } = new(_ => null);

    public Output<string>? Get(string key) => get(key)?.AsSecret();

    public Output<string> Require(string project, string key, string purpose) =>
        Get(key) ?? throw new StackCompositionException($"{project}:{key}",
            $"the secret '{project}:{key}' is required for {purpose}; set it with `llmctl config set --secret {key} <value>`");
}
