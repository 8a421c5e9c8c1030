using System.Reflection;
using System.Runtime.CompilerServices;
using Llmctl.Engine.Config;
using Xunit;

namespace Llmctl.Testing;

/// <summary>
/// Checks the generated configuration shapes (what the binder reads, with no reflection) against what reflection says
/// of the same records — here in tests only, where the metadata is all there. A property added, renamed, made required
/// or nullable without the shape following fails these checks.
/// </summary>
public static class ConfigShapes
{
    /// <summary>The shape of a [ConfigRecord] type known only at run time.</summary>
    public static ConfigRecordShape Of(Type record) =>
        (ConfigRecordShape)typeof(ConfigRecordShape).GetMethod(nameof(ConfigRecordShape.Of))!.MakeGenericMethod(record).Invoke(null, null)!;

    /// <summary>Every [ConfigRecord] type of an assembly.</summary>
    public static IReadOnlyList<Type> MarkedIn(Assembly assembly) =>
        assembly.GetTypes().Where(t => t.IsDefined(typeof(ConfigRecordAttribute), inherit: false)).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>The generated shape lists exactly the bindable properties reflection sees, in order, with the same flags.</summary>
    public static void MatchesReflection(Type record)
    {
        var shape = Of(record);
        Assert.Equal(record, shape.RecordType);
        var nullability = new NullabilityInfoContext();
        var expected = record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic && p.GetIndexParameters().Length == 0)
            .Select(p => (p.Name, Required: p.IsDefined(typeof(RequiredMemberAttribute), inherit: false),
                Nullable: nullability.Create(p).WriteState == NullabilityState.Nullable))
            .ToList();
        var actual = shape.Members.Select(m => (m.Name, m.Required, m.Nullable)).ToList();
        Assert.True(expected.Count > 0, $"{record.Name} has no bindable properties");
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Every record a [ConfigRecord] reaches through its properties (directly, in a list or as a dictionary's values)
    /// is itself a [ConfigRecord]: the generator refuses anything else, and this says so from the other side.
    /// </summary>
    public static IReadOnlyList<Type> Reachable(Type root)
    {
        var seen = new List<Type>();
        Visit(root);
        return seen;

        void Visit(Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsArray)
            {
                Visit(type.GetElementType()!);
                return;
            }
            if (type.IsGenericType && type.Namespace == "System.Collections.Generic")
            {
                Visit(type.GetGenericArguments()[^1]);
                return;
            }
            if (!type.IsClass || type == typeof(string) || type.Namespace == "Llmctl.Engine.Model" || seen.Contains(type)) return;
            seen.Add(type);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                Visit(property.PropertyType);
            }
        }
    }
}
