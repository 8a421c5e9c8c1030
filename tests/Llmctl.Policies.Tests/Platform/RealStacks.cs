using Llmctl.Engine.Model;
using Llmctl.Fit.Lock;
using Llmctl.Stacks;
using Llmctl.Testing;

namespace Llmctl.Policies.Tests.Platform;

/// <summary>
/// The repository's real stack files composed as `llmctl preview` composes them, optionally with one edit to the
/// file's text (one violation injected) or one customization of the composed tree.
/// </summary>
internal static class RealStacks
{
    public const string FleetPassphrase = "llmctl-sample";

    public static StackContext Homelab(Func<string, string>? edit = null, Action<StackContext>? after = null, string? lockText = null) =>
        Compose("homelab", edit, after, lockText);

    public static StackContext Fleet(Func<string, string>? edit = null, Action<StackContext>? after = null) => Compose("fleet", edit, after, null);

    private static StackContext Compose(string stack, Func<string, string>? edit, Action<StackContext>? after, string? lockText)
    {
        var dir = Directory.CreateTempSubdirectory("llmctl-policies-").FullName;
        try
        {
            File.Copy(RepoFiles.Path("Pulumi.yaml"), Path.Combine(dir, "Pulumi.yaml"));
            var text = File.ReadAllText(RepoFiles.Path($"Pulumi.{stack}.yaml"));
            File.WriteAllText(Path.Combine(dir, $"Pulumi.{stack}.yaml"), edit is null ? text : edit(text));
            File.WriteAllText(Path.Combine(dir, ModelLockFile.DefaultFileName), lockText ?? File.ReadAllText(RepoFiles.Path(ModelLockFile.DefaultFileName)));
            var loaded = StackPipeline.Load(dir, stack, environment: name => name == "PULUMI_CONFIG_PASSPHRASE" ? FleetPassphrase : null);
            loaded.ThrowIfErrors();
            return StackPipeline.Compose(loaded, StackPipeline.Bind(loaded), isPreview: true, after);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Replaces exactly one occurrence, so an injected violation never silently misses.</summary>
    public static string Once(this string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the stack file");
        Assert.True(text.IndexOf(from, at + 1, StringComparison.Ordinal) < 0, $"'{from}' is in the stack file more than once");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }
}
