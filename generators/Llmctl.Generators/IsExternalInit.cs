// netstandard2.0 lacks the type C# needs for records and init accessors; the compiler only needs its name.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit;
