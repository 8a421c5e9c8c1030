using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Llmctl.Providers.Kubernetes.State;

/// <summary>Object names, labels and annotations of the Kubernetes state backend.</summary>
internal static partial class StateNames
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "llmctl";
    public const string ProjectLabel = "llmctl.io/project";
    public const string StackLabel = "llmctl.io/stack";

    // Labels hold at most 63 characters of a restricted set; the exact names are kept in annotations.
    public const string ProjectAnnotation = "llmctl.io/project";
    public const string StackAnnotation = "llmctl.io/stack";
    public const string ResourceCountAnnotation = "llmctl.io/resource-count";
    public const string UpdatedAnnotation = "llmctl.io/updated";

    public const string LockUser = "llmctl.io/lock-user";
    public const string LockHost = "llmctl.io/lock-host";
    public const string LockPid = "llmctl.io/lock-pid";
    public const string LockOperation = "llmctl.io/lock-operation";
    public const string LockId = "llmctl.io/lock-id";

    public const string PlainKey = "checkpoint.json";
    public const string GzipKey = "checkpoint.json.gz";

    /// <summary>The 1 MiB a Secret's data may hold in all.</summary>
    public const int MaxSecretBytes = 1024 * 1024;

    /// <summary>
    /// <c>llmctl-&lt;project&gt;-&lt;stack&gt;</c> lower-cased, with characters a DNS-1123 name cannot hold turned into
    /// <c>-</c>. When that changed anything, or the name would pass 63 characters, a hash of the exact names is
    /// appended (cut to fit) so that <c>My_Stack</c> and <c>my-stack</c> stay apart.
    /// </summary>
    public static string ObjectName(string project, string stack)
    {
        var raw = $"llmctl-{project}-{stack}";
        var safe = InvalidDnsChars().Replace(raw.ToLowerInvariant(), "-").TrimEnd('-');
        if (safe == raw && safe.Length <= 63) return safe;
        var hash = Hash(project + "/" + stack);
        return safe[..Math.Min(safe.Length, 63 - hash.Length - 1)].TrimEnd('-') + "-" + hash;
    }

    /// <summary>The name itself when it is a valid label value, else a safe prefix and a hash.</summary>
    public static string LabelValue(string name)
    {
        if (name.Length <= 63 && ValidLabelValue().IsMatch(name)) return name;
        var hash = Hash(name);
        var safe = InvalidLabelChars().Replace(name, "-");
        return (safe[..Math.Min(safe.Length, 63 - hash.Length - 1)].Trim('-', '_', '.') + "-" + hash).TrimStart('-');
    }

    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    [GeneratedRegex("[^a-z0-9-]")]
    private static partial Regex InvalidDnsChars();

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex InvalidLabelChars();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$")]
    private static partial Regex ValidLabelValue();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
