package io.fondation.http.callback;

/**
 * How one callback went.
 *
 * @param delivered whether the receiver answered 2xx
 * @param status the last HTTP status, or -1 when no answer came (network error, timeout)
 * @param tries how many times it was posted
 * @param problem why it was not delivered (empty when it was); never contains the token
 */
public record Delivery(boolean delivered, int status, int tries, String problem) {

    static Delivery ok(int status, int tries) {
        return new Delivery(true, status, tries, "");
    }

    static Delivery failed(int status, int tries, String problem) {
        return new Delivery(false, status, tries, problem);
    }

    /** Whether the receiver refused the body as too large (HTTP 413). */
    public boolean tooLarge() {
        return status == 413;
    }
}
