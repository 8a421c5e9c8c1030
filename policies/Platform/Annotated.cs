using Llmctl.Engine.Model;

namespace Llmctl.Policies.Platform;

/// <summary>
/// A resource's annotations as the policies read them, resource after resource on a stack of thousands: a resource
/// without any (most Services and components) is answered without allocating a query.
/// </summary>
internal static class Annotated
{
    /// <summary>As <see cref="AnnotationCollection.OfType{T}"/>.</summary>
    public static IEnumerable<T> AnnotationsOf<T>(this Resource resource) where T : IResourceAnnotation =>
        resource.Annotations.Count == 0 ? [] : resource.Annotations.OfType<T>();

    /// <summary>As <see cref="AnnotationCollection.Find{T}"/>.</summary>
    public static T? Annotation<T>(this Resource resource) where T : class, IResourceAnnotation =>
        resource.Annotations.Count == 0 ? null : resource.Annotations.Find<T>();
}
