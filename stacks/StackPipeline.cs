using Llmctl.Components.Models;
using Llmctl.Fit.Lock;
using Llmctl.Engine.Config;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;
using Llmctl.Engine.Providers;
using Llmctl.Engine.State;
using Llmctl.Stacks.Config;
using YamlDotNet.RepresentationModel;

namespace Llmctl.Stacks;

/// <summary>
/// The one path from a stack file to the desired tree, in named steps: <see cref="Load"/> (the project and stack files,
/// read within the YAML limits and checked), <see cref="Bind"/> (the typed <see cref="StackConfig"/>),
/// <see cref="Compose"/> (the models lock, the secrets and the config become components), <see cref="Policies"/> (the
/// packs under the stack's <c>llmctl:policies</c>) and <see cref="Plan"/> (the desired tree against the checkpoint).
/// The CLI, the bench and the tests call these and nothing else to get a program. Every step reports all of its
/// problems at once as a <see cref="ConfigException"/>, each at its file:line:column — problems the composition finds
/// included, mapped back to the stack value they came from.
/// </summary>
public static class StackPipeline
{
    /// <summary>Step 1: find <c>Pulumi.yaml</c> from <paramref name="directory"/> and read it and the stack's file.</summary>
    public static LoadedStack Load(string directory, string stackName, Func<string, string?>? environment = null) =>
        ProjectLoader.Load(directory, stackName, environment: environment);

    /// <summary>
    /// Step 2: the typed config; throws <see cref="ConfigException"/> with every problem of the files and the config.
    /// When binding found problems but the files read cleanly, the config as far as it bound is composed too, so the
    /// composition's own problems (hardware not in the catalog, a lane on an unknown node) are reported in the same run.
    /// </summary>
    public static StackConfig Bind(LoadedStack loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var config = StackConfigLoader.LoadPartial(loaded, out var diagnostics);
        if (diagnostics.Count == 0) return config;
        throw new ConfigException([.. diagnostics, .. CompositionProblemsBeside(loaded, config, diagnostics)]);
    }

    // What composing a config that did not bind cleanly finds, less what binding already reported at the same key (or
    // under it: a lane whose ctxSize failed to bind is not reported again for having none).
    private static IEnumerable<ConfigDiagnostic> CompositionProblemsBeside(LoadedStack loaded, StackConfig partial, IReadOnlyList<ConfigDiagnostic> reported)
    {
        if (loaded.HasErrors || !loaded.StackExists) return [];
        ModelLockFile? locks;
        try
        {
            locks = LoadModelLocks(loaded.ProjectDirectory);
        }
        catch (ModelLockException)
        {
            return []; // Compose reports the lock file once the stack binds
        }
        try
        {
            StackContext.Run(loaded.ProjectName, loaded.StackName,
                ctx => PlatformProgram.Compose(ctx, partial, Secrets(loaded), locks, partial: true), isPreview: true);
            return [];
        }
        catch (StackCompositionException e)
        {
            return e.Problems.Select(p => Locate(loaded, p))
                .Where(d => !reported.Any(r => d.KeyPath == r.KeyPath || d.KeyPath.StartsWith(r.KeyPath + ".", StringComparison.Ordinal)
                    || d.KeyPath.StartsWith(r.KeyPath + "[", StringComparison.Ordinal)))
                .ToList();
        }
        catch (Exception)
        {
            // The partly bound config broke the composition outside a layer (a value that did not bind is null):
            // binding's problems stand alone.
            return [];
        }
    }

    private static StackSecrets Secrets(LoadedStack loaded) =>
        new(key => new Engine.Config.Config(loaded, loaded.ProjectName).GetSecret(key));

    /// <summary>
    /// Step 3: the desired tree. Reads <c>models.lock.yaml</c> beside <c>Pulumi.yaml</c> when there is one; secrets are
    /// decrypted on first read, as secret outputs.
    /// </summary>
    /// <param name="after">Runs in the program after the platform is composed: one explicit escape hatch, applied last
    /// (tests inject a customization or an extra object here).</param>
    public static StackContext Compose(LoadedStack loaded, StackConfig config, bool isPreview, Action<StackContext>? after = null)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return Compose(loaded, config, LoadModelLocks(loaded.ProjectDirectory), isPreview, after);
    }

    /// <summary>Step 3 with the project's model lock already read (<see cref="LoadModelLocks"/>), so a caller that also
    /// estimates fit reads the file once.</summary>
    public static StackContext Compose(LoadedStack loaded, StackConfig config, ModelLockFile? locks, bool isPreview, Action<StackContext>? after = null)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(config);
        var secrets = Secrets(loaded);
        try
        {
            return Compose(loaded.ProjectName, loaded.StackName, config, isPreview, secrets, locks, after,
                package => DefaultProviderConfig(loaded, package));
        }
        catch (StackCompositionException e)
        {
            throw new ConfigException(e.Problems.Select(p => Locate(loaded, p)).ToList());
        }
        catch (DuplicateUrnException e)
        {
            throw new ConfigException([new ConfigDiagnostic(loaded.DisplayPath(loaded.StackFilePath), 0, 0, "", e.Message,
                "give the lanes, nodes and releases distinct names")]);
        }
    }

    /// <summary>The packages whose resources name a provider resource (the others run on their package's provider).</summary>
    public static readonly IReadOnlySet<string> ProviderResourcePackages = new HashSet<string>(StringComparer.Ordinal) { "kubernetes" };

    /// <summary>
    /// The inputs of a package's default provider, as Pulumi makes them: every <c>&lt;package&gt;:&lt;key&gt;</c> value
    /// of the stack config becomes the input <c>&lt;key&gt;</c> (<c>kubernetes:kubeconfig</c> → <c>kubeconfig</c>);
    /// a <c>secure:</c> value stays secret and is decrypted only when the provider is planned. Null for a package
    /// without provider resources.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject? DefaultProviderConfig(LoadedStack loaded, string package)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        if (!ProviderResourcePackages.Contains(package)) return null;
        var config = new Engine.Config.Config(loaded, package);
        var inputs = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in loaded.Config.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(package + ":", StringComparison.Ordinal)) continue;
            var name = key[(package.Length + 1)..];
            inputs[name] = value.IsSecure
                ? StackContext.Current!.ToInput(Output.CreateSecret(new Lazy<string>(() => config.Get(name)!)))
                : value.Node is YamlScalarNode scalar ? scalar.Value ?? "" : YamlJson.ToJsonNode(value.Node, loaded.Decrypt);
        }
        return inputs;
    }

    /// <summary>
    /// Step 3 for a config built in code (tests of the composition): no file to point at, so a problem stays a
    /// <see cref="StackCompositionException"/> naming its key paths.
    /// </summary>
    /// <param name="defaultProviderConfig">The inputs of each package's default provider (<see cref="DefaultProviderConfig"/>); none without it.</param>
    public static StackContext Compose(string projectName, string stackName, StackConfig config, bool isPreview = true,
        StackSecrets? secrets = null, ModelLockFile? locks = null, Action<StackContext>? after = null,
        Func<string, System.Text.Json.Nodes.JsonObject?>? defaultProviderConfig = null) =>
        StackContext.Run(projectName, stackName, ctx =>
        {
            PlatformProgram.Compose(ctx, config, secrets, locks);
            after?.Invoke(ctx);
        }, isPreview, defaultProviderConfig);

    /// <summary>
    /// Step 5: the ordered steps from <paramref name="checkpoint"/> to <paramref name="desired"/>; the providers diff each
    /// resource (against the live system when they were made for it).
    /// </summary>
    public static Task<Plan> Plan(StackContext desired, StackCheckpoint? checkpoint, ProviderRegistry providers,
        PlanOptions? options = null, CancellationToken cancellationToken = default) =>
        new Planner(providers).PlanAsync(desired, checkpoint, options, cancellationToken);

    /// <summary>
    /// Step 4: the policy packs over the desired tree and, once it is made, the plan (rules about changes), at the levels the stack sets in
    /// <c>llmctl:policies</c> (<see cref="StackPolicies"/>); a settings mistake is a located <see cref="ConfigException"/>.
    /// </summary>
    /// <param name="fit">The lanes' VRAM estimates for the vram-fit policy; without them it does not run.</param>
    public static PolicyReport Policies(LoadedStack loaded, StackContext desired, Plan? plan, Llmctl.Policies.Platform.ILaneFitSource? fit = null) =>
        StackPolicies.Runner(loaded, fit).Evaluate(desired, plan);

    /// <summary>Steps 1–3 for a stack on disk (tests, the bench).</summary>
    public static StackContext Run(string directory, string stackName, bool isPreview = true, Func<string, string?>? environment = null)
    {
        var loaded = Load(directory, stackName, environment);
        return Compose(loaded, Bind(loaded), isPreview);
    }

    /// <summary>The project's <c>models.lock.yaml</c>, or null when it has none; a malformed file is a <see cref="ConfigException"/>.</summary>
    public static ModelLockFile? LoadModelLocks(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, ModelLockFile.DefaultFileName);
        return File.Exists(path) ? ModelLockFile.Load(path) : null;
    }

    /// <summary>
    /// A composition problem at the stack value its key path names (<c>llm-platform:lanes.items[1].ctxSize</c>), or at the
    /// nearest value that exists (the lane, when it has no <c>ctxSize</c>). The text after the first "; " is the fix.
    /// </summary>
    public static ConfigDiagnostic Locate(LoadedStack loaded, CompositionProblem problem)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(problem);
        var split = problem.Problem.IndexOf("; ", StringComparison.Ordinal);
        var message = split < 0 ? problem.Problem : problem.Problem[..split];
        var fix = split < 0 ? null : problem.Problem[(split + 2)..];
        var bag = new DiagnosticBag(loaded.DisplayPath(loaded.StackFilePath));
        var colon = problem.KeyPath.IndexOf(':', StringComparison.Ordinal);
        List<object> segments;
        try
        {
            segments = [.. PropertyPath.Parse(problem.KeyPath[(colon + 1)..]).Segments];
        }
        catch (FormatException)
        {
            segments = [];
        }
        var key = segments.Count > 0 && colon > 0 ? $"{problem.KeyPath[..colon]}:{segments[0]}" : problem.KeyPath;
        if (loaded.Config.TryGetValue(key, out var value))
        {
            YamlNode node = value.Node;
            foreach (var segment in segments.Skip(1))
            {
                YamlNode? child = (segment, node) switch
                {
                    (string name, YamlMappingNode m) => m.Children.FirstOrDefault(kv => YamlJson.KeyText(kv.Key) == name).Value,
                    (int index, YamlSequenceNode s) when index < s.Children.Count => s.Children[index],
                    _ => null,
                };
                if (child is null) break;
                node = child;
            }
            bag = bag.For(value.File);
            bag.Add(node, problem.KeyPath, message, fix);
        }
        else
        {
            bag.Add(null, problem.KeyPath, message, fix);
        }
        return bag.Items[^1];
    }
}
