package io.fondation.shared;

/** A setting is missing or invalid. The message names the setting and the problem. */
public class ConfigurationException extends FondationException {

    private final String setting;

    public ConfigurationException(String setting, String problem) {
        super(setting + ": " + problem);
        this.setting = setting;
    }

    /** The name of the environment variable or option at fault. */
    public String setting() {
        return setting;
    }
}
