using Llmctl.Engine.Config;
using Llmctl.Stacks;
using Llmctl.Stacks.Config;

namespace Llmctl.Stacks.Tests.Config;

/// <summary>
/// The bad-input corpus: each <c>BadInput/Pulumi.&lt;case&gt;.yaml</c> is a stack of the project in
/// <c>BadInput/Pulumi.yaml</c>; <c>BadInput/Projects/*.yaml</c> are bad project files. Every case names the line,
/// column and a fragment of the message the user sees.
/// </summary>
public class BadInputTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "BadInput");

    public static TheoryData<string, int, int, string> StackCases => new()
    {
        { "syntax", 3, 11, "YAML syntax error: While scanning a multi-line double-quoted scalar" },
        { "tabs", 3, 1, "a tab is used for indentation" },
        { "duplicate", 4, 5, "config.llm-platform:cluster.name: duplicate key 'name' — remove one of the two entries; the first one, at line 3" },
        { "duplicatekey", 4, 3, "duplicate key 'llm-platform:cluster' ('cluster' and 'llm-platform:cluster' are the same key)" },
        { "wrongint", 7, 12, "llm-platform:gpuNodes[0].cpu: expected an integer, got 'eight' — write a whole number" },
        { "listformap", 3, 5, "llm-platform:cluster: expected a mapping of key: value, got a list" },
        { "unknownkey", 14, 9, "llm-platform:lanes.items[0].ctxsize: unknown key 'ctxsize' — did you mean 'ctxSize'? allowed keys: name, runtime," },
        { "missingrequired", 5, 7, "llm-platform:gpuNodes[0]: the node names no GPU hardware — give 'hardware:' (a catalog key) or 'gpus:'" },
        { "missingcluster", 0, 0, "missing required configuration 'llm-platform:cluster'" },
        { "badquantity", 7, 15, "'24GB' is not a Kubernetes quantity — did you mean '24Gi'?" },
        { "badenum", 10, 18, "'olama' is not one of llamacpp, ollama, vllm — did you mean 'ollama'?" },
        { "badprovider", 1, 18, "secrets provider 'awskms://alias/llmctl' is not supported; llmctl supports only 'passphrase'" },
        { "badsecure", 6, 13, "llm-platform:apiKey: malformed secure value: expected v1:<base64 nonce>:<base64 ciphertext>" },
        { "securenosalt", 5, 13, "secure value but the stack file has no 'encryptionsalt'" },
        { "unknownnode", 11, 15, "lane 'qwen' names node 'gpu-worker-2', which is not a GPU node — did you mean 'gpu-worker-1'?" },
        { "duplicatelanes", 14, 15, "llm-platform:lanes.items[1].name: lane 'qwen' is declared twice" },
        { "badname", 3, 11, "'Home_Lab' is not a valid DNS-1123 label" },
        { "unknownsection", 5, 3, "unknown configuration key 'llm-platform:lane' — did you mean 'lanes'?" },
        { "unknownattr", 1, 1, "unknown stack file attribute 'secretprovider' — did you mean 'secretsprovider'?" },
        { "schemamismatch", 5, 5, "llm-platform:adminEmail: expected string as declared in Pulumi.yaml, got a list" },
        { "manyerrors", 18, 20, "llm-platform:lanes.items[0].flashAttn: expected true or false, got 'maybe'" },
        { "nstypo", 14, 3, "llm_platform:lanes: unknown configuration namespace 'llm_platform'; nothing reads 'llm_platform:lanes' — did you mean 'llm-platform:lanes'?" },
        { "projecttypo", 5, 3, "unknown configuration namespace 'llm-platfrom'; nothing reads 'llm-platfrom:cluster' — did you mean 'llm-platform:cluster'?" },
        { "unclosedflow", 5, 11, "YAML syntax error: the '[' opened here is never closed" },
        { "latin1", 27, 16, "the file is not valid UTF-8: byte 0xE9" },
        { "aliasbomb", 48, 22, "the YAML expands to more than 100,000 values once its aliases are resolved" },
        { "deepnesting", 33, 84, "the YAML is nested more than 64 levels deep" },
        // Found by running the real CLI over inputs the corpus above did not have: a quantity beyond decimal's range
        // ended as "internal error", a negative node memory was accepted.
        { "hugequantity", 7, 15, "llm-platform:gpuNodes[0].memory: '99999999999999999999999999Gi' is too large for a Kubernetes quantity" },
        { "negativequantity", 7, 15, "llm-platform:gpuNodes[0].memory: '-58Gi' is negative — give an amount of zero or more" },
    };

    public static TheoryData<string, int, int, string> ProjectCases => new()
    {
        { "default-wrong-type.yaml", 6, 14, "config.replicas.default: the default does not match the declared type integer: got 'three'" },
        { "array-without-items.yaml", 5, 5, "config.zones: an array declaration needs 'items'" },
        { "bad-name.yaml", 1, 7, "'llm platform!' is not a valid project name — use only letters, digits, '-', '_' and '.'" },
        { "missing-runtime.yaml", 1, 1, "runtime: the project file has no 'runtime'" },
        { "unknown-attribute.yaml", 3, 1, "unknown project attribute 'stackConfigDirectory' — did you mean 'stackConfigDir'?" },
        { "structured-without-value.yaml", 5, 5, "a structured value in Pulumi.yaml needs a 'value:' wrapper" },
    };

    [Theory]
    [MemberData(nameof(StackCases))]
    public void A_bad_stack_file_is_reported_with_its_position_and_message(string stack, int line, int column, string fragment)
    {
        var loaded = StackPipeline.Load(Dir, stack);
        var error = Assert.ThrowsAny<ConfigException>(() => StackPipeline.Compose(loaded, StackPipeline.Bind(loaded), isPreview: true));

        var match = error.Diagnostics.Where(d => d.ToString().Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(match.Count == 1, $"expected one diagnostic containing \"{fragment}\", got:\n{error.Message}");
        Assert.Equal($"Pulumi.{stack}.yaml", match[0].File);
        Assert.Equal((line, column), (match[0].Line, match[0].Column));
    }

    [Theory]
    [MemberData(nameof(ProjectCases))]
    public void A_bad_project_file_is_reported_with_its_position_and_message(string file, int line, int column, string fragment)
    {
        var loaded = ProjectLoader.LoadFromText(File.ReadAllText(Path.Combine(Dir, "Projects", file)), null, "dev");

        var match = loaded.Diagnostics.Where(d => d.ToString().Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(match.Count == 1, $"expected one diagnostic containing \"{fragment}\", got:\n{string.Join("\n", loaded.Diagnostics)}");
        Assert.Equal("Pulumi.yaml", match[0].File);
        Assert.Equal((line, column), (match[0].Line, match[0].Column));
    }

    [Fact]
    public void Every_problem_in_one_file_is_reported_together()
    {
        var loaded = StackPipeline.Load(Dir, "manyerrors");
        var error = Assert.Throws<ConfigException>(() => StackPipeline.Bind(loaded));

        Assert.Equal(
        [
            "Pulumi.manyerrors.yaml:4:5: llm-platform:cluster.distro: unknown key 'distro' — did you mean 'distribution'? allowed keys: name, distribution",
            "Pulumi.manyerrors.yaml:8:12: llm-platform:gpuNodes[0].cpu: expected an integer, got 'lots' — write a whole number such as 8080",
            "Pulumi.manyerrors.yaml:9:15: llm-platform:gpuNodes[0].memory: '32GB' is not a Kubernetes quantity — did you mean '32Gi'? (Kubernetes writes binary units as Ki, Mi, Gi, Ti)",
            "Pulumi.manyerrors.yaml:17:18: llm-platform:lanes.items[0].ctxSize: expected an integer, got 'big' — write a whole number such as 8080",
            "Pulumi.manyerrors.yaml:18:20: llm-platform:lanes.items[0].flashAttn: expected true or false, got 'maybe' — write true or false",
            "Pulumi.manyerrors.yaml:7:17: llm-platform:gpuNodes[0].hardware: 'rtx' is not in the hardware catalog — use one of h100-80gb, rtx-3090, rtx-4090, rtx-pro-4000-blackwell-sff, strix-halo-128gb, or declare the GPUs under 'gpus:' (vendor, model, count, memory)",
        ], error.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(string.Join(Environment.NewLine, error.Diagnostics), error.Message);
    }

    [Fact]
    public void A_syntax_error_is_not_followed_by_missing_key_noise()
    {
        var loaded = ProjectLoader.Load(Dir, "syntax");
        var error = Assert.Throws<ConfigException>(() => StackConfigLoader.Load(loaded));
        Assert.Single(error.Diagnostics);
    }

    [Fact]
    public void The_corpus_holds_at_least_twenty_bad_files()
    {
        var stacks = Directory.GetFiles(Dir, "Pulumi.*.yaml").Count(f => !f.EndsWith("Pulumi.good.yaml", StringComparison.Ordinal));
        var projects = Directory.GetFiles(Path.Combine(Dir, "Projects")).Length;
        Assert.True(stacks + projects >= 20, $"{stacks + projects} bad files");
        Assert.Equal(stacks, StackCases.Count);
        Assert.Equal(projects, ProjectCases.Count);
    }
}
