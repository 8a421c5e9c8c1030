using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Llmctl.Engine.Model;

namespace Llmctl.Components.Kubernetes;

/// <summary>The typed side of a Kubernetes object resource, for policies that do not know its generic type.</summary>
public interface IKubernetesObjectResource
{
    /// <summary><c>apps/v1</c>, <c>v1</c>, <c>node.k8s.io/v1</c>.</summary>
    string ApiVersion { get; }
    string Kind { get; }
    /// <summary>The typed desired object; its JSON form is the resource's inputs.</summary>
    IKubernetesObject<V1ObjectMeta> Object { get; }
    /// <summary>True for a patch resource (<c>kubernetes:core/v1:NodePatch</c>): a partial object applied to one that exists.</summary>
    bool IsPatch { get; }
}

/// <summary>
/// One Kubernetes object as a provider-backed resource. The type token is Pulumi's
/// (<c>kubernetes:apps/v1:Deployment</c>, <c>kubernetes:core/v1:Service</c>, <c>kubernetes:node.k8s.io/v1:RuntimeClass</c>,
/// and <c>…Patch</c> for patch resources); the inputs are the object as <see cref="KubernetesJson"/> writes it, with
/// <c>apiVersion</c> and <c>kind</c> set. The constructor sets those two on the object it is given.
/// </summary>
public sealed class KubernetesObject<T> : CustomResource, IKubernetesObjectResource
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public KubernetesObject(string name, T obj, CustomResourceOptions? options = null, bool patch = false)
        : base(KubernetesObjects.TypeTokenFor<T>(patch), name, KubernetesObjects.Render(Stamp(obj)), options)
    {
        Object = obj;
        IsPatch = patch;
    }

    /// <summary>The typed desired object. Change it through <see cref="Customize"/> so the inputs follow.</summary>
    public T Object { get; }

    public string ApiVersion => KubernetesObjects.EntityOf<T>().ApiVersion;
    public string Kind => KubernetesObjects.EntityOf<T>().Kind;
    public bool IsPatch { get; }

    IKubernetesObject<V1ObjectMeta> IKubernetesObjectResource.Object => Object;

    /// <summary>
    /// The escape hatch for what a component does not expose: changes the typed object and renders the inputs
    /// again. Call it last, after the component has built the object; policies see the result.
    /// </summary>
    public KubernetesObject<T> Customize(Action<T> customize)
    {
        ArgumentNullException.ThrowIfNull(customize);
        customize(Object);
        var rendered = KubernetesObjects.Render(Stamp(Object));
        foreach (var key in Inputs.Select(kv => kv.Key).ToList()) Inputs.Remove(key);
        foreach (var key in rendered.Select(kv => kv.Key).ToList())
        {
            var value = rendered[key];
            rendered.Remove(key);
            Inputs[key] = value;
        }
        return this;
    }

    private static T Stamp(T obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var entity = KubernetesObjects.EntityOf<T>();
        obj.ApiVersion = entity.ApiVersion;
        obj.Kind = entity.Kind;
        return obj;
    }
}

/// <summary>Type tokens and JSON rendering for Kubernetes objects.</summary>
public static class KubernetesObjects
{
    public readonly record struct Entity(string Group, string Version, string Kind)
    {
        /// <summary><c>group/version</c>, or just <c>version</c> for the core group.</summary>
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    }

    /// <summary>Group, version and kind from the model's <see cref="KubernetesEntityAttribute"/>.</summary>
    public static Entity EntityOf<T>() where T : IKubernetesObject => EntityCache<T>.Value;

    /// <summary>Pulumi's token: <c>kubernetes:&lt;group or core&gt;/&lt;version&gt;:&lt;Kind&gt;[Patch]</c>.</summary>
    public static string TypeTokenFor<T>(bool patch = false) where T : IKubernetesObject
    {
        var e = EntityOf<T>();
        var group = e.Group.Length == 0 ? "core" : e.Group;
        return $"kubernetes:{group}/{e.Version}:{e.Kind}{(patch ? "Patch" : "")}";
    }

    /// <summary>The object as the Kubernetes client serializes it (nulls omitted, quantities as strings); see <see cref="KubernetesModelJson"/>.</summary>
    public static JsonObject Render(IKubernetesObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return KubernetesModelJson.ToJsonObject(obj);
    }

    private static class EntityCache<T>
    {
        public static readonly Entity Value = Read();

        private static Entity Read()
        {
            var attr = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()
                ?? throw new InvalidOperationException($"{typeof(T).Name} has no [KubernetesEntity] attribute; it is not a Kubernetes model type");
            return new Entity(attr.Group ?? "", attr.ApiVersion, attr.Kind);
        }
    }
}
