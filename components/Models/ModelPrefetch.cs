using System.Globalization;
using k8s.Models;
using Llmctl.Components.Gpu;
using Llmctl.Components.Images;
using Llmctl.Components.Kubernetes;
using Llmctl.Engine.Model;
using Llmctl.Fit.Lock;

namespace Llmctl.Components.Models;

/// <summary>Puts locked model files on one node's model disk.</summary>
public sealed record ModelPrefetchArgs
{
    /// <summary>The namespace of the Job (a DNS-1123 label).</summary>
    public required string Namespace { get; init; }
    /// <summary>The node (<c>kubernetes.io/hostname</c>) whose disk is filled.</summary>
    public required string Node { get; init; }
    /// <summary>The node's model disk (<c>modelDisk</c>, e.g. <c>/models/vllm</c>); files go to its <c>gguf/</c> directory.</summary>
    public required string ModelDisk { get; init; }
    /// <summary>The lock entries to download; every one must be locked (sha256 and size), or nothing could verify it.</summary>
    public required IReadOnlyList<ModelLock> Models { get; init; }
    /// <summary>
    /// A small image with <c>sh</c>, <c>curl</c>, <c>sha256sum</c> and <c>wc</c>, pinned by digest, e.g.
    /// <c>docker.io/curlimages/curl:8.11.1@sha256:&lt;the digest you pulled&gt;</c> (see <see cref="ModelPrefetch.SampleImage"/>).
    /// </summary>
    public required ImageRef Image { get; init; }
    /// <summary>How long all downloads may take (the Job's <c>activeDeadlineSeconds</c>); 20 GB files take a while.</summary>
    public TimeSpan DownloadBudget { get; init; } = TimeSpan.FromHours(4);
    /// <summary>Retries of a failed pod (a checksum mismatch fails the same way every time, so keep this small).</summary>
    public int BackoffLimit { get; init; } = 2;
    /// <summary>How long a finished Job stays for its logs to be read.</summary>
    public TimeSpan TtlAfterFinished { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>
/// A Job on one node that downloads exactly the locked model files into <c>&lt;modelDisk&gt;/gguf</c>, checks each
/// file's size and sha256 against the lock, keeps files that are already present and match, and fails — naming the
/// file, the expected and the actual value — when a download or a present file does not match. Downloads go to
/// <c>&lt;file&gt;.part</c> and are renamed only once verified, so a lane never sees a half-written or wrong file.
/// Lanes depend on <see cref="Job"/> (<see cref="LlamaCppLaneArgs.Prefetch"/>).
/// </summary>
public sealed partial class ModelPrefetch : ComponentResource
{
    public const string TypeToken = "llmctl:models:ModelPrefetch";
    public const string ContainerName = "prefetch";
    /// <summary>Where the node's <c>&lt;modelDisk&gt;/gguf</c> is mounted in the Job's container.</summary>
    public const string TargetDir = "/models/gguf";
    /// <summary>The image repository the sample uses; pin it by the digest you pulled (<c>docker buildx imagetools inspect</c>).</summary>
    public const string SampleImage = "docker.io/curlimages/curl:8.11.1@sha256:<the digest you pulled>";

    /// <summary>
    /// The POSIX sh script the Job runs: <c>sh -c SCRIPT prefetch DIR [FILE SHA256 SIZE URL]...</c>. Exits non-zero on
    /// the first mismatch, leaving no unverified file under its final name.
    /// </summary>
    public const string Script = """
        set -eu
        dir="$1"; shift
        mkdir -p "$dir"
        fail() { echo "prefetch: FAILED: $*" >&2; exit 1; }
        # check PATH SHA256 SIZE: prints why PATH does not match, returns 1 then.
        check() {
          actual_size=$(wc -c < "$1" | tr -d ' ')
          if [ "$actual_size" != "$3" ]; then echo "size is $actual_size bytes, the lock says $3"; return 1; fi
          actual_sha=$(sha256sum "$1" | cut -d ' ' -f 1)
          if [ "$actual_sha" != "$2" ]; then echo "sha256 is $actual_sha, the lock says $2"; return 1; fi
          return 0
        }
        while [ "$#" -gt 0 ]; do
          [ "$#" -ge 4 ] || fail "arguments must come as FILE SHA256 SIZE URL"
          file="$1"; sha="$2"; size="$3"; url="$4"; shift 4
          target="$dir/$file"
          if [ -e "$target" ]; then
            if why=$(check "$target" "$sha" "$size"); then
              echo "prefetch: $file is present and matches the lock; skipped"
              continue
            fi
            fail "$target is present but does not match the lock: $why; remove it or fix models.lock.yaml"
          fi
          echo "prefetch: downloading $file from $url"
          curl --fail --location --silent --show-error --retry 5 --retry-delay 10 --continue-at - --output "$target.part" "$url" \
            || fail "downloading $file from $url"
          if ! why=$(check "$target.part" "$sha" "$size"); then
            rm -f "$target.part"
            fail "$file from $url does not match the lock: $why"
          fi
          mv "$target.part" "$target"
          echo "prefetch: $file verified ($size bytes, sha256 $sha)"
        done
        echo "prefetch: all files present and verified"
        """;

    public ModelPrefetch(string name, ModelPrefetchArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        Args = args;
        ComponentArgumentException.ThrowIfAny(this, Validate(name, args));
        var deadline = args.DownloadBudget + TimeSpan.FromMinutes(5);
        Job = new KubernetesObject<V1Job>(name, Build(name, args), new CustomResourceOptions
        {
            Parent = this,
            DependsOn = RawOptions.DependsOn,
            // A Job's pod template cannot be changed: a new file list is a new Job.
            ReplaceOnChanges = ["spec"],
            DeleteBeforeReplace = true,
            CustomTimeouts = new CustomTimeouts { Create = deadline, Update = deadline },
        });
        Job.Annotate(new ContainerImage(ContainerName, args.Image)).Annotate(new LockedModels(args.Models));
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["node"] = args.Node,
            ["files"] = args.Models.SelectMany(m => m.Shards).Select(s => s.File).ToArray(),
        });
    }

    public ModelPrefetchArgs Args { get; }

    /// <summary>Whether the Job downloads the lock entry <paramref name="modelRef"/> (a lane's check, once per lane).</summary>
    public bool Downloads(string modelRef) => (_refs ??= Args.Models.Select(m => m.Ref).ToHashSet(StringComparer.Ordinal)).Contains(modelRef);

    private HashSet<string>? _refs;
    /// <summary>The Job; a lane's Deployment depends on it.</summary>
    public KubernetesObject<V1Job> Job { get; }

    /// <summary>The script's positional arguments: the directory, then FILE SHA256 SIZE URL per model, in lock order.</summary>
    public static IReadOnlyList<string> ScriptArgs(ModelPrefetchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var list = new List<string> { TargetDir };
        foreach (var m in args.Models.SelectMany(m => m.Shards))
        {
            list.AddRange([m.File, m.Sha256 ?? "", (m.SizeBytes ?? 0).ToString(CultureInfo.InvariantCulture), m.Source]);
        }
        return list;
    }

    public static IReadOnlyList<ArgumentProblem> Validate(string name, ModelPrefetchArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<ArgumentProblem>();
        void Add(string argument, string message) => problems.Add(new ArgumentProblem(argument, message));
        if (KubernetesNames.Dns1123LabelProblem(name) is { } n) Add("name", n);
        if (KubernetesNames.Dns1123LabelProblem(args.Namespace) is { } ns) Add("namespace", ns);
        if (KubernetesNames.Dns1123LabelProblem(args.Node) is { } node) Add("node", node);
        if (string.IsNullOrWhiteSpace(args.ModelDisk) || !args.ModelDisk.StartsWith('/'))
        {
            Add("modelDisk", $"'{args.ModelDisk}' must be an absolute path on the node, such as /models/vllm");
        }
        if (args.Image is null) Add("image", $"is required; for example {SampleImage}");
        // An unpinned image is well-formed: the pinned-digests policy reports it.
        if (args.Models is null || args.Models.Count == 0)
        {
            Add("models", "name at least one lock entry to download");
        }
        else
        {
            foreach (var m in args.Models.Where(m => !m.IsLocked)) Add("models", m.UnlockedReason! + "; the prefetch only downloads files it can verify");
            foreach (var dup in args.Models.SelectMany(m => m.Shards.Select(s => (m.Ref, s.File))).GroupBy(m => m.File, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                Add("models", $"{dup.Key} is listed {dup.Count()} times ({string.Join(", ", dup.Select(m => m.Ref))}); list each file once");
            }
        }
        if (args.DownloadBudget <= TimeSpan.Zero) Add("downloadBudget", "must be longer than zero; give large files hours");
        if (args.BackoffLimit < 0) Add("backoffLimit", $"must be 0 or more, not {args.BackoffLimit}");
        if (args.TtlAfterFinished < TimeSpan.Zero) Add("ttlAfterFinished", "must not be negative");
        return problems;
    }

    private static V1Job Build(string name, ModelPrefetchArgs args)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "model-prefetch",
            ["app.kubernetes.io/instance"] = name,
            ["app.kubernetes.io/managed-by"] = "llmctl",
        };
        return new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = args.Namespace, Labels = labels },
            Spec = new V1JobSpec
            {
                BackoffLimit = args.BackoffLimit,
                ActiveDeadlineSeconds = (long)args.DownloadBudget.TotalSeconds,
                TtlSecondsAfterFinished = (int)args.TtlAfterFinished.TotalSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        NodeSelector = new Dictionary<string, string> { [GpuLabels.Hostname] = args.Node },
                        // Model disks are on GPU nodes, which carry the dedicated taint.
                        Tolerations = [ModelServerPods.GpuToleration()],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ContainerName,
                                Image = args.Image.ToString(),
                                Command = ["sh", "-c", Script, "prefetch"],
                                Args = ScriptArgs(args).ToList(),
                                VolumeMounts = [new V1VolumeMount { Name = "gguf", MountPath = TargetDir }],
                                SecurityContext = new V1SecurityContext
                                {
                                    // The hostPath directory is root's; the image's own user could not write there.
                                    RunAsUser = 0,
                                    AllowPrivilegeEscalation = false,
                                    ReadOnlyRootFilesystem = true,
                                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                                },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                                    Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                                },
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "gguf",
                                HostPath = new V1HostPathVolumeSource { Path = $"{args.ModelDisk.TrimEnd('/')}/gguf", Type = "DirectoryOrCreate" },
                            },
                        ],
                    },
                },
            },
        };
    }
}
