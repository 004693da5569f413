package io.fondation.clibridge.testing;

import java.util.List;

/** Builds the {@link Reply.Message} of one turn of a scripted conversation. */
public final class Turn {

    /** Tokens reported for each turn unless told otherwise. */
    public static final long INPUT_TOKENS = 1200;

    public static final long OUTPUT_TOKENS = 300;

    private Turn() {}

    /** A turn that makes these tool calls. */
    public static Reply.Message tools(ToolCall... calls) {
        return new Reply.Message(List.of(), List.of(calls), INPUT_TOKENS, OUTPUT_TOKENS);
    }

    /** A turn that says something and makes these tool calls. */
    public static Reply.Message saying(String text, ToolCall... calls) {
        return new Reply.Message(List.of(text), List.of(calls), INPUT_TOKENS, OUTPUT_TOKENS);
    }

    /** A final answer. */
    public static Reply.Message text(String text) {
        return new Reply.Message(List.of(text), List.of(), INPUT_TOKENS, OUTPUT_TOKENS);
    }
}
