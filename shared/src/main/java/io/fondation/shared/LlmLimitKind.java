package io.fondation.shared;

/** What an LLM API refused a request with, as the queue records it in a pause ({@link LlmPause}, issue 22). */
public enum LlmLimitKind {
    /** HTTP 429, a rate or usage limit. */
    RATE_LIMIT("rate_limit"),
    /** HTTP 529, the API is overloaded. */
    OVERLOADED("overloaded");

    private final String wireName;

    LlmLimitKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name the queues store ({@code queue:recordPause}'s {@code kind}). */
    public String wireName() {
        return wireName;
    }

    /** The kind named {@code wireName}. */
    public static LlmLimitKind fromWire(String wireName) {
        for (LlmLimitKind kind : values()) {
            if (kind.wireName.equals(wireName)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown LLM limit kind '" + wireName + "'");
    }
}
