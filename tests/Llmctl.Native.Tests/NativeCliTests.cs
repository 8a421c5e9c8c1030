using System.CommandLine;
using Llmctl.Infra;
using Llmctl.Infra.Cli;

namespace Llmctl.Native.Tests;

/// <summary>
/// The published Native AOT binary is one file, and its help and version are the JIT build's, byte for byte
/// (processes with the same environment: <see cref="Builds"/>).
/// </summary>
public sealed class NativeCliTests
{
    /// <summary>Every command path of the command tree (<c>""</c> for the root, <c>"config set"</c>, …), read from the tree itself.</summary>
    public static TheoryData<string> Verbs()
    {
        var root = new LlmctlApp(new CliContext { Out = TextWriter.Null, Err = TextWriter.Null }).BuildRoot();
        var data = new TheoryData<string> { "" };
        void Walk(Command command, string path)
        {
            foreach (var sub in command.Subcommands)
            {
                var full = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
                data.Add(full);
                Walk(sub, full);
            }
        }
        Walk(root, "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verbs_help_is_the_JIT_builds(string verb)
    {
        using var workspace = new Workspace();
        string[] args = [.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];

        var (jit, native) = await Builds.BothAsync(workspace, args);

        Assert.True(native.ExitCode == 0, $"llmctl {string.Join(' ', args)}: {native}");
        Assert.Contains("Usage:", native.Out, StringComparison.Ordinal);
        Builds.AssertSame(jit, native, $"llmctl {string.Join(' ', args)}");
    }

    [Fact]
    public async Task The_version_is_the_JIT_builds()
    {
        using var workspace = new Workspace();

        var (jit, native) = await Builds.BothAsync(workspace, ["version"]);

        Assert.True(native.ExitCode == 0, native.ToString());
        Assert.StartsWith("v", native.Out, StringComparison.Ordinal);
        Builds.AssertSame(jit, native, "llmctl version");
    }

    [Fact]
    public void The_binary_is_one_file_with_no_native_library_beside_it()
    {
        var published = Builds.PublishedBinary;
        var beside = Directory.GetFiles(Path.GetDirectoryName(published)!)
            .Select(Path.GetFileName)
            .Where(f => f!.EndsWith(".so", StringComparison.Ordinal) || f.Contains(".so.", StringComparison.Ordinal)
                || f.EndsWith(".dylib", StringComparison.Ordinal) || f.EndsWith(".dll", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(beside);
        // An apphost would need llmctl.dll beside it; the native binary is the program.
        Assert.True(new FileInfo(published).Length > 5_000_000, $"{published} is {new FileInfo(published).Length} bytes: not a native AOT build");
    }
}
